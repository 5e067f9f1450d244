/**
 * Roots of the most common passwords in public breach corpora, lower case. A password is refused
 * when, folded to letters (`P@ssw0rd` → `password`), it is one of these, one of these with only
 * digits and symbols around it, or one of these repeated (see password-policy.ts).
 * A module rather than a data file, so the compiled build carries it too.
 */
export const COMMON_PASSWORD_ROOTS: readonly string[] = [
  'password', 'passw0rd', 'qwerty', 'qwertyuiop', 'asdfgh', 'asdfghjkl', 'zxcvbnm', 'azerty', 'qwertz', 'iloveyou',
  'letmein', 'welcome', 'admin', 'administrator', 'root', 'changeme', 'default', 'secret', 'trustno', 'monkey',
  'dragon', 'master', 'shadow', 'sunshine', 'princess', 'football', 'baseball', 'basketball', 'soccer', 'hockey',
  'superman', 'batman', 'starwars', 'pokemon', 'michael', 'jennifer', 'jordan', 'charlie', 'hunter', 'ranger',
  'buster', 'thomas', 'tigger', 'robert', 'daniel', 'jessica', 'ashley', 'nicole', 'hannah', 'matthew',
  'andrew', 'joshua', 'freedom', 'whatever', 'computer', 'internet', 'login', 'access', 'flower', 'cheese',
  'summer', 'winter', 'spring', 'autumn', 'hello', 'hellokitty', 'lovely', 'loveme', 'babygirl', 'angel',
  'family', 'friends', 'blessed', 'jesus', 'god', 'mustang', 'harley', 'ferrari', 'liverpool', 'chelsea',
  'arsenal', 'barcelona', 'killer', 'pepper', 'ginger', 'cookie', 'chocolate', 'butterfly', 'purple', 'orange',
  'banana', 'apple', 'samsung', 'google', 'facebook', 'youtube', 'linkedin', 'holomesh', 'marketplace', 'test',
  'guest', 'user', 'abc', 'abcd', 'qazwsx', 'qweasd', 'zaq', 'passwort', 'motdepasse', 'contrasena',
  'senha', 'parola',
];
