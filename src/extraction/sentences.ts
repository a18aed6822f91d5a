/**
 * Sentences of a text, with their character offsets in it (UTF-16 code units, as JavaScript
 * strings index them), so that a draft's evidence can be highlighted in the text as given.
 *
 * Lines are split first: headlines, bullets and FAQ lines carry no full stop. Within a line,
 * compromise finds the sentence ends (it knows abbreviations such as `Sept.`, `U.S.`, `Mr.` and
 * decimals such as `$1.25`), which a full-stop regex or ICU's sentence segmenter get wrong.
 */
import nlp from 'compromise';

export interface Sentence {
  text: string;
  start: number;
  end: number;
}

interface CompromiseSentence {
  text: string;
  offset?: { start: number; length: number };
}

/** Characters that hide text or carry none; replaced one for one so offsets stay true. */
const INVISIBLE = new RegExp(
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\u200B-\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2060-\\u2064\\uFEFF]',
  'g',
);

/**
 * The text with markup blanked out (tags, the contents of script and style elements, entities)
 * and invisible characters replaced by spaces, character for character: offsets into the result
 * are offsets into the original.
 */
export function blankMarkup(text: string): string {
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
  return text
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, blank)
    .replace(/<!--[\s\S]*?-->/g, blank)
    .replace(/<\/?[a-zA-Z][^<>]*>/g, blank)
    .replace(/&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});/g, blank)
    .replace(INVISIBLE, ' ');
}

export function splitSentences(text: string): Sentence[] {
  const clean = blankMarkup(text);
  const sentences: Sentence[] = [];
  const lineBreak = /\r\n|\r|\n/g;
  let lineStart = 0;
  for (;;) {
    const found = lineBreak.exec(clean);
    const lineEnd = found ? found.index : clean.length;
    sentencesOfLine(clean, lineStart, lineEnd, sentences);
    if (!found) break;
    lineStart = found.index + found[0].length;
  }
  return sentences;
}

function sentencesOfLine(clean: string, lineStart: number, lineEnd: number, out: Sentence[]): void {
  const line = clean.slice(lineStart, lineEnd);
  if (!/[\p{L}\p{N}]/u.test(line)) return;
  const parsed = nlp.tokenize(line).json({ offset: true }) as CompromiseSentence[];
  let cursor = 0;
  for (const s of parsed) {
    let start = s.offset?.start ?? -1;
    let length = s.offset?.length ?? 0;
    // compromise's offsets are normally exact; when the text it reports is not found there, the
    // sentence is looked up from where the previous one ended.
    if (start < 0 || line.slice(start, start + length) !== s.text) {
      start = line.indexOf(s.text, cursor);
      length = s.text.length;
      if (start < 0) continue;
    }
    const text = line.slice(start, start + length);
    // Strip leading bullets and trailing blanks from the evidence, keeping offsets true.
    const lead = /^[\s\-–—•*>#]*/.exec(text)?.[0].length ?? 0;
    const trimmed = text.slice(lead).trimEnd();
    cursor = start + length;
    if (!/[\p{L}]/u.test(trimmed)) continue;
    out.push({
      text: trimmed,
      start: lineStart + start + lead,
      end: lineStart + start + lead + trimmed.length,
    });
  }
}
