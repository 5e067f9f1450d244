/**
 * Word tables of the normaliser (English). Plain data; the behaviour lives in normalize.ts.
 */

/** Whole-word rewrites applied before anything else: contractions, spellings, chat shorthand. */
export const REWRITES: Readonly<Record<string, string>> = {
  "what's": 'what is', whats: 'what is', "who's": 'who is', "how's": 'how is', "where's": 'where is', "that's": 'that is',
  "there's": 'there is', "it's": 'it is', "here's": 'here is', "let's": 'let us', lets: 'let us',
  "i'm": 'i am', im: 'i am', "i've": 'i have', ive: 'i have', "i'd": 'i would', "i'll": 'i will', "you're": 'you are',
  "can't": 'can not', cant: 'can not', cannot: 'can not', "won't": 'will not', "don't": 'do not', dont: 'do not',
  "doesn't": 'does not', "didn't": 'did not', didnt: 'did not', "isn't": 'is not', "aren't": 'are not', "haven't": 'have not',
  "wasn't": 'was not', "shouldn't": 'should not', "wouldn't": 'would not',
  wanna: 'want to', gonna: 'going to', gimme: 'give me', lemme: 'let me', gotta: 'got to',
  favourite: 'favorite', favourites: 'favorites', fave: 'favorite', fav: 'favorite', faves: 'favorites', favs: 'favorites',
  favorit: 'favorite', favoured: 'favored', cancelled: 'canceled', cancelling: 'canceling',
  autobuy: 'auto buy', autobuying: 'auto buying', autopurchase: 'auto purchase', nevermind: 'never mind',
  unfollow: 'unfollow', ok: 'okay', k: 'okay', kk: 'okay', okey: 'okay', pls: 'please', plz: 'please', thx: 'thanks', ty: 'thank you',
  u: 'you', ur: 'your', cuz: 'because', info: 'information', notifs: 'notifications', notif: 'notification',
  holo: 'holo', 'holo-mesh': 'holomesh', creds: 'credits', cr: 'credits', '$': 'credits', yrs: 'years',
};

/**
 * Filler and politeness phrases: said a lot, meaning nothing for the command. Skipping them costs
 * almost nothing, so "um could you please subscribe me to Nova" still matches well. Longest first.
 */
export const FILLER_PHRASES: readonly (readonly string[])[] = [
  'hey holomesh', 'hi holomesh', 'ok holomesh', 'okay holomesh', 'holomesh', 'hey there', 'excuse me',
  'could you please', 'can you please', 'would you please', 'will you please', 'could you', 'can you', 'would you', 'will you',
  'i would like you to', 'i want you to', 'i need you to', 'go ahead and', 'i would like to', 'i want to', 'i need to',
  'i would love to', 'i wish to', 'i am going to', 'i am looking to', 'i am trying to', 'let us', 'let me',
  'please', 'kindly', 'um', 'uh', 'er', 'erm', 'uhm', 'hmm', 'mm', 'ah', 'oh', 'hey', 'hi', 'hello', 'so', 'well', 'just',
  'actually', 'quickly', 'right now', 'now', 'for me', 'thanks', 'thank you', 'like', 'basically', 'maybe', 'perhaps',
  'real quick', 'again', 'already', 'also', 'then', 'alright', 'all right', 'you know', 'i mean', 'i think', 'i guess',
].map((phrase) => phrase.split(' '));

/** Function words: cheap to drop or add, weak evidence either way. */
export const STOPWORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'my', 'me', 'mine', 'i', 'to', 'of', 'for', 'from', 'on', 'in', 'at', 'by', 'with', 'about', 'is', 'are', 'am',
  'was', 'were', 'be', 'been', 'do', 'does', 'did', 'any', 'some', 'all', 'and', 'or', 'that', 'this', 'these', 'those', 'it',
  'its', 'you', 'your', 'we', 'our', 'us', 'there', 'have', 'has', 'had', 'one', 'ones', 'up', 'out', 'what', 'which', 'who',
  'how', 'can', 'could', 'would', 'will', 'should', 'get', 'got', 'them', 'they', 'their', 'as', 'so',
]);

/** Words the inflection table must never fold together ("new" is not a form of "news"). */
export const NO_INFLECTION: ReadonlySet<string> = new Set([
  'new', 'news', 'last', 'latest', 'best', 'most', 'auto', 'off', 'on', 'up', 'by', 'set', 'left', 'mind', 'minded',
]);
