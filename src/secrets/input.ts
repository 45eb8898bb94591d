/**
 * Reading a secret's value for `koan secret set`: all of stdin when it is piped (one trailing newline
 * dropped), or a prompt on the terminal with echo off. Never from the command line, where it would land in
 * shell history and process listings.
 * @module
 */
import { KoanError } from "../core/errors.js";

/** Read all of a non-TTY stream. */
async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** Prompt on stderr and read one line from a TTY without echoing it. */
function promptHidden(question: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    let value = "";
    const wasRaw = input.isRaw;
    input.setRawMode?.(true);
    input.resume();
    input.setEncoding("utf8");
    const done = (err?: Error): void => {
      input.setRawMode?.(wasRaw);
      input.pause();
      input.removeListener("data", onData);
      output.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return done();
        if (ch === "\u0003") return done(new KoanError("RUN_CANCELLED", "cancelled"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on("data", onData);
  });
}

/** The value for secret `name`, from stdin or an echo-free prompt. */
export async function readSecretValue(name: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  return input.isTTY ? promptHidden(`value for secret "${name}" (not shown): `, input, output) : readAll(input);
}
