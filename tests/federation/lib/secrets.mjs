// Photos carrying what must never reach a reader (GPS, an author, a
// comment, camera fields), and exiftool's reading of what a file carries.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { noiseJpeg } from '../../api/lib/photos.mjs';

// The fields jpegWithSecrets writes, as exiftool names them.
export const SECRET_FIELDS = ['GPSLatitude', 'GPSLongitude', 'GPSPosition', 'Artist', 'Comment', 'Make', 'Model', 'SerialNumber'];

export async function jpegWithSecrets(width = 640, height = 480) {
  const dir = await mkdtemp(path.join(tmpdir(), 'vantage-secrets-'));
  try {
    const file = path.join(dir, 'a.jpg');
    await writeFile(file, await noiseJpeg(width, height));
    execFileSync('exiftool', ['-q', '-overwrite_original', '-GPSLatitude=51.5014', '-GPSLatitudeRef=N',
      '-GPSLongitude=0.1419', '-GPSLongitudeRef=W', '-Artist=qz7c staff photographer', '-Comment=qz7c secret',
      '-Make=Qz7cCam', '-Model=Qz7c Mark II', '-SerialNumber=QZ7C-0042', file]);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// exiftool's fields of `bytes`, as one object.
export function exif(bytes) {
  return JSON.parse(execFileSync('exiftool', ['-j', '-'], { input: bytes }).toString())[0];
}
