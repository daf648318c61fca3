/** Where the terminal writes what a person (IT, a developer) may need to read later. */
export type Log = (message: string, detail?: unknown) => void;
