/**
 * A JSON dataset file read as a stream: each element of `companies`, `investments` and
 * `commitments` is handed on as soon as it is parsed and then dropped, so a file of any size is
 * read in the memory of one record. The top level (formatVersion, unknown keys, sections that are
 * not lists) is checked from the token stream, with the same messages as a dataset in memory.
 */
import { createReadStream } from 'node:fs';
import { TokenParser, Tokenizer, TokenType, type ParsedTokenInfo } from '@streamparser/json';
import {
  DatasetError,
  JSON_SECTIONS,
  KEYS,
  NOT_AN_OBJECT,
  formatVersionProblem,
  jsonRecord,
  unknownTopLevelKey,
  type DatasetReader,
  type DatasetRecord,
} from './records.js';

/** A top-level value that is a list or an object (its contents are not kept). */
const LIST = Symbol('list');
const OBJECT = Symbol('object');

/** Watches the top level of the document: which keys it has, and the formatVersion. */
class TopLevel {
  private depth = 0;
  private expectKey = false;
  private key: string | undefined;
  private readonly seen = new Set<string>();

  see({ token, value }: ParsedTokenInfo): void {
    if (this.depth === 0 && token !== TokenType.LEFT_BRACE) throw new DatasetError(NOT_AN_OBJECT);
    switch (token) {
      case TokenType.LEFT_BRACE:
      case TokenType.LEFT_BRACKET:
        if (this.depth === 1) this.value(token === TokenType.LEFT_BRACKET ? LIST : OBJECT);
        this.depth++;
        if (this.depth === 1) this.expectKey = true;
        return;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        this.depth--;
        return;
      case TokenType.COLON:
        return;
      case TokenType.COMMA:
        if (this.depth === 1) this.expectKey = true;
        return;
      default:
        if (this.depth !== 1) return;
        if (this.expectKey) {
          this.expectKey = false;
          this.named(String(value));
        } else this.value(value);
    }
  }

  private named(key: string): void {
    if (!(KEYS.top as readonly string[]).includes(key)) {
      throw new DatasetError(unknownTopLevelKey(key));
    }
    if (this.seen.has(key)) throw new DatasetError(`$.${key}: appears twice.`);
    this.seen.add(key);
    this.key = key;
  }

  private value(value: unknown): void {
    const key = this.key;
    this.key = undefined;
    if (key === 'formatVersion') {
      const problem = formatVersionProblem(value === LIST ? [] : value === OBJECT ? {} : value);
      if (problem) throw new DatasetError(problem);
    } else if (key && value !== LIST && value !== null) {
      // A section left null is an empty one, as in a dataset in memory.
      throw new DatasetError(`${key} must be a list.`);
    }
  }

  finish(): void {
    if (this.depth !== 0) throw new DatasetError('The file ends before the dataset does.');
    if (!this.seen.has('formatVersion')) {
      throw new DatasetError(formatVersionProblem(undefined) as string);
    }
  }
}

export function jsonFileReader(file: string): DatasetReader {
  return {
    async *records(): AsyncIterable<DatasetRecord> {
      const top = new TopLevel();
      const parsed: DatasetRecord[] = [];
      // Only the elements of the sections are assembled; `keepStack: false` drops each from its
      // list once handed on, so memory does not grow with the file.
      const parser = new TokenParser({ paths: ['$.*.*'], keepStack: false });
      parser.onValue = ({ value, key, stack }) => {
        const section = stack[1]?.key;
        if (typeof key !== 'number' || !JSON_SECTIONS.includes(section as never)) return;
        parsed.push(jsonRecord(section as (typeof JSON_SECTIONS)[number], key, value));
      };
      const tokenizer = new Tokenizer();
      tokenizer.onToken = (token) => {
        top.see(token);
        parser.write(token);
      };
      let started = false;
      const fail = (error: unknown): never => {
        if (error instanceof DatasetError) throw error;
        throw new DatasetError(`not valid JSON: ${(error as Error).message}`);
      };
      for await (const chunk of createReadStream(file)) {
        started = true;
        try {
          tokenizer.write(chunk as Buffer);
        } catch (error) {
          fail(error);
        }
        yield* parsed;
        parsed.length = 0;
      }
      if (!started) throw new DatasetError(NOT_AN_OBJECT);
      top.finish();
      try {
        if (!tokenizer.isEnded) tokenizer.end();
      } catch (error) {
        fail(error);
      }
    },
  };
}
