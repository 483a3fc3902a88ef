import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { EmbeddedChatter } from './screens/embed.tsx';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
root.render(location.pathname === '/embed/chatter' ? <EmbeddedChatter /> : <App />);
