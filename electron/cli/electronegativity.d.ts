/** The part of @doyensec/electronegativity's programmatic API (it ships no types) that audit-electron.ts uses. */
declare module '@doyensec/electronegativity' {
  interface Finding {
    id: string;
    file: string;
    location: { line: number; column: number };
    description: string;
  }
  /** Scans `input`; resolves to the findings and the files it could not parse. */
  export default function run(options: {
    input: string;
    isRelative?: boolean;
    electronVersionOverride?: string;
    excludeFromScan?: string[];
  }): Promise<{ issues: Finding[]; errors: { file: string; message: string; tolerable: boolean }[] }>;
}
