/**
 * Streams a zipped ServiceNow incident event log (such as the UCI "Incident management process
 * enriched event log", Amaral, Fantinato, Peres; CC BY 4.0) into incidents: the zip's bytes are
 * inflated, decoded, parsed as CSV and grouped by incident chunk by chunk, and each incident is
 * yielded as soon as its rows end, so only the current chunk and incident are held.
 *
 * The bytes come from the caller as an async iterable (`fs.createReadStream(path)`, an S3 object
 * body, a fetch body): this module opens nothing itself. The zip is read front to back (local
 * file headers), so it needs no random access.
 */
import { Unzip, UnzipInflate } from 'fflate';
import { ValidationError } from '../../errors';
import { CsvReader } from './csv';
import { ServiceNowAssembler, type ServiceNowIncident, type ServiceNowOptions } from './servicenow';

export interface ServiceNowZipOptions extends ServiceNowOptions {
  /** The CSV entry to read; default the first entry whose name ends in `.csv`. */
  entryName?: string;
}

/**
 * Yields the incidents of the CSV log inside a zip, in file order, each with its timeline, its
 * skipped rows and ServiceNow's made_sla verdict (see `ServiceNowAssembler`). Throws a
 * `ValidationError` when the zip has no such entry, is cut short or is not a zip.
 */
export async function* readServiceNowZip(
  zip: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ServiceNowZipOptions,
): AsyncGenerator<ServiceNowIncident, void, undefined> {
  const assembler = new ServiceNowAssembler(options);
  const reader = new CsvReader();
  const decoder = new TextDecoder('utf-8');
  const text: string[] = [];
  let entry: string | undefined;
  let ended = false;
  let failure: Error | undefined;

  const unzip = new Unzip((file) => {
    const wanted =
      options.entryName === undefined
        ? file.name.toLowerCase().endsWith('.csv')
        : file.name === options.entryName;
    if (entry !== undefined || !wanted) {
      file.ondata = () => {};
      return;
    }
    entry = file.name;
    file.ondata = (err, chunk, final) => {
      if (err) {
        failure = err;
        return;
      }
      text.push(decoder.decode(chunk, { stream: !final }));
      if (final) ended = true;
    };
    try {
      file.start();
    } catch (err) {
      failure = new ValidationError(`zip entry ${file.name}: ${(err as Error).message}`);
    }
  });
  unzip.register(UnzipInflate);

  const cutShort = () => new ValidationError(`zip entry ${entry} ends early: the zip is cut short`);
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      if (final && entry !== undefined && !ended) throw cutShort();
      throw new ValidationError(`the zip cannot be read: ${(err as Error).message}`);
    }
    if (failure) {
      throw failure instanceof ValidationError
        ? failure
        : new ValidationError(`the zip cannot be inflated: ${failure.message}`);
    }
  };
  function* drain(): Generator<ServiceNowIncident> {
    while (text.length > 0) {
      for (const record of reader.push(text.shift()!)) yield* assembler.push(record);
    }
  }

  for await (const chunk of zip) {
    push(chunk, false);
    yield* drain();
  }
  push(new Uint8Array(0), true);
  yield* drain();
  if (entry === undefined) {
    throw new ValidationError(
      options.entryName === undefined
        ? 'the zip holds no .csv entry'
        : `the zip holds no entry ${options.entryName}`,
    );
  }
  if (!ended) throw cutShort();
  for (const record of reader.end()) yield* assembler.push(record);
  yield* assembler.end();
}
