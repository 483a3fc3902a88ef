import { messages } from '../i18n.tsx';

export const useChatterWords = messages({
  en: {
    sendMessage: 'Send message', logNote: 'Log note', send: 'Send', log: 'Log', sending: 'Sending…',
    messagePlaceholder: 'Write to the followers… type @ to mention someone',
    notePlaceholder: 'Log an internal note… type @ to mention someone',
    subject: 'Subject', to: 'Also send to', addRecipient: 'Add a recipient…', attach: 'Attach files', template: 'Use a template…',
    remove: 'Remove', older: 'Load older messages', loadingOlder: 'Loading older messages…', noMessages: 'No messages yet.',
    followers: 'Followers', follow: 'Follow', unfollow: 'Unfollow', addFollower: 'Add a follower…', noFollowers: 'Nobody follows this record.',
    bell: 'Edit the subscription of {name}', save: 'Save', cancel: 'Cancel', subscribedTo: 'Notified of',
    note: 'Note', internal: 'internal', sent: 'sent', delivered: 'delivered', ready: 'queued', bounce: 'bounced', exception: 'failed', canceled: 'canceled',
    read: 'read', unread: 'unread', envelopeOf: 'Delivery to {name}: {status}', by: 'by', from: 'from', attachments: 'Attachments',
    empty: 'Write something, or attach a file, before sending.', noMatch: 'Nobody matches', recordNotFound: 'This record is not known to Facteur.',
  },
  fr: {
    sendMessage: 'Envoyer un message', logNote: 'Noter', send: 'Envoyer', log: 'Noter', sending: 'Envoi…',
    messagePlaceholder: 'Écrire aux abonnés… tapez @ pour mentionner quelqu’un',
    notePlaceholder: 'Noter une note interne… tapez @ pour mentionner quelqu’un',
    subject: 'Objet', to: 'Envoyer aussi à', addRecipient: 'Ajouter un destinataire…', attach: 'Joindre des fichiers', template: 'Utiliser un modèle…',
    remove: 'Retirer', older: 'Charger les messages plus anciens', loadingOlder: 'Chargement des messages plus anciens…', noMessages: 'Aucun message pour l’instant.',
    followers: 'Abonnés', follow: 'Suivre', unfollow: 'Ne plus suivre', addFollower: 'Ajouter un abonné…', noFollowers: 'Personne ne suit cet enregistrement.',
    bell: 'Modifier l’abonnement de {name}', save: 'Enregistrer', cancel: 'Annuler', subscribedTo: 'Notifié de',
    note: 'Note', internal: 'interne', sent: 'envoyé', delivered: 'délivré', ready: 'en file', bounce: 'rejeté', exception: 'échec', canceled: 'annulé',
    read: 'lu', unread: 'non lu', envelopeOf: 'Distribution à {name} : {status}', by: 'par', from: 'de', attachments: 'Pièces jointes',
    empty: 'Écrivez quelque chose, ou joignez un fichier, avant d’envoyer.', noMatch: 'Personne ne correspond', recordNotFound: 'Cet enregistrement est inconnu de Facteur.',
  },
});
