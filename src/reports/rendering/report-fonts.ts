/**
 * The report font: Noto Sans SC (Latin and CJK), Regular and Bold, from the npm package
 * @expo-google-fonts/noto-sans-sc — never a system font, so Chinese, Latin and mixed names
 * render the same on every machine. Read once per process (or worker thread).
 */
import { readFileSync } from 'node:fs';

export interface FontFiles {
  regularPath: string;
  boldPath: string;
  regular: Buffer;
  bold: Buffer;
}

let files: FontFiles | null = null;

/** The font files' paths and bytes, read on first use. */
export function reportFonts(): FontFiles {
  if (!files) {
    const regularPath = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
    const boldPath = require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf');
    files = { regularPath, boldPath, regular: readFileSync(regularPath), bold: readFileSync(boldPath) };
  }
  return files;
}
