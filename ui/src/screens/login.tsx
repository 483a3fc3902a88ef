import { useState, type FormEvent } from 'react';
import { get, post } from '../api.ts';
import { ErrorNote, Field, type Me } from '../components.tsx';
import { messages } from '../i18n.tsx';

const useWords = messages({
  en: { title: 'Log in to Facteur', login: 'Login', password: 'Password', submit: 'Log in', working: 'Logging in…', hint: 'The first start printed the administrator’s login and password; `facteur user create` adds people.' },
  fr: { title: 'Connexion à Facteur', login: 'Identifiant', password: 'Mot de passe', submit: 'Se connecter', working: 'Connexion…', hint: 'Le premier démarrage a affiché l’identifiant et le mot de passe de l’administrateur ; `facteur user create` ajoute des personnes.' },
});

export function LoginScreen({ onLoggedIn }: { onLoggedIn: (me: Me) => void }) {
  const words = useWords();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post('/api/session', { login, password });
      onLoggedIn(await get<Me>('/api/session'));
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{words.title}</h1>
        <Field label={words.login}>
          <input name="login" autoComplete="username" autoFocus required value={login} onChange={(e) => setLogin(e.target.value)} />
        </Field>
        <Field label={words.password}>
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? words.working : words.submit}
        </button>
        <ErrorNote error={error} />
        <p className="hint">{words.hint}</p>
      </form>
    </main>
  );
}
