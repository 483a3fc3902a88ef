// /embed/chatter?model=…&resId=…&token=…: one record's chatter inside a host application's page (an
// iframe), for the user the host's backend minted the token for (POST /api/embed-tokens).
import { useEffect, useState } from 'react';
import { get, useEmbedTokenForCalls } from '../api.ts';
import { Chatter } from '../chatter/chatter.tsx';
import { ErrorNote, Loading, SessionContext, type Me } from '../components.tsx';
import { browserLanguage, LanguageContext } from '../i18n.tsx';

export function EmbeddedChatter() {
  const params = new URLSearchParams(location.search);
  const model = params.get('model') ?? '';
  const resId = params.get('resId') ?? '';
  const token = params.get('token') ?? '';
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    useEmbedTokenForCalls(token);
    get<Me>('/api/session').then(setMe, setError);
  }, [token]);
  const language = me?.language ?? browserLanguage();
  return (
    <LanguageContext.Provider value={language}>
      <main className="embedded">
        <ErrorNote error={error} />
        {!me && !error && <Loading />}
        {me && (
          <SessionContext.Provider value={{ me, setMe: () => {} }}>
            <Chatter model={model} resId={resId} />
          </SessionContext.Provider>
        )}
      </main>
    </LanguageContext.Provider>
  );
}
