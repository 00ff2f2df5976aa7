import { useState } from 'react';
import { newIdempotencyKey } from '../api/client.ts';

/** A chosen file's bytes as base64: how the API takes files (in JSON, like every other write). */
export function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

/** The largest file arflow reads (bank statements, remittance advices): 20 MB. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/**
 * The file a user chose for an upload, refused (tooLarge) above `maxBytes`, with a fresh idempotency key per choice:
 * `choose` is the Upload's beforeUpload (it keeps the file in the page: nothing is sent until the user submits).
 */
export function useChosenFile(onChoose: () => void, maxBytes = MAX_UPLOAD_BYTES) {
  const [file, setFile] = useState<File | null>(null);
  const [tooLarge, setTooLarge] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey());
  const choose = (f: File) => {
    setTooLarge(f.size > maxBytes);
    setFile(f.size > maxBytes ? null : f);
    setKey(newIdempotencyKey());
    onChoose();
    return false;
  };
  return { file, tooLarge, key, choose };
}
