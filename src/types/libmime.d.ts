// libmime (the MIME library of mailparser and nodemailer's author) ships no types; what Facteur uses of it.
declare module 'libmime' {
  const libmime: {
    /** Decodes RFC 2047 encoded-words (`=?utf-8?q?…?=`) in a header value. */
    decodeWords(value: string): string;
  };
  export default libmime;
}
