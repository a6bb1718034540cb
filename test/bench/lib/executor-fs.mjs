// @ts-check
// The file system a directory lives on (fsync costs nothing on tmpfs, so the figures must say).
import { statfsSync } from "node:fs";

const known = new Map([
  [0xef53, "ext4"],
  [0x01021994, "tmpfs"],
  [0x58465342, "xfs"],
  [0x9123683e, "btrfs"],
  [0x794c7630, "overlayfs"],
]);

/** @param {string} dir */
export function filesystemOf(dir) {
  const type = statfsSync(dir).type;
  return known.get(type) ?? `fs type 0x${type.toString(16)}`;
}
