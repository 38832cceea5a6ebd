/**
 * electron-builder afterPack hook: flips Electron's fuses in the packaged binary before it is signed, so the
 * shipped app cannot be turned into a plain Node.js runtime or be inspected/injected through the command line
 * or the environment, and loads its code only from its own (integrity-checked) app.asar.
 * Referenced from package.json "build.afterPack".
 */
'use strict';
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** The fuses the lab ships with (one place; the test reads it). */
function labFuses(platform, arch) {
  return {
    version: FuseVersion.V1,
    // ELECTRON_RUN_AS_NODE would make the app binary a Node.js interpreter for any script.
    [FuseV1Options.RunAsNode]: false,
    // NODE_OPTIONS could preload code into the main process.
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    // --inspect / --inspect-brk would open a debugger port into the main process.
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    // Refuse to start when app.asar does not match the integrity hash electron-builder embedded (macOS, Windows).
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    // Never load the app from a loose folder beside the binary.
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.EnableCookieEncryption]: true,
    // Changing fuses invalidates an ad-hoc signature; arm64 macOS refuses unsigned code, so re-sign ad hoc there.
    resetAdHocDarwinSignature: platform === 'darwin' && arch === 'arm64',
  };
}

/** Path of the Electron binary (or .app bundle) electron-builder just produced. */
function electronBinary(context) {
  const platform = context.electronPlatformName;
  const name = context.packager.appInfo.productFilename;
  if (platform === 'darwin' || platform === 'mas') return path.join(context.appOutDir, `${name}.app`);
  if (platform === 'win32') return path.join(context.appOutDir, `${name}.exe`);
  return path.join(context.appOutDir, context.packager.executableName || name);
}

/** electron-builder passes arch as its Arch enum number: 0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal. */
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

async function afterPack(context) {
  const arch = typeof context.arch === 'number' ? ARCH_NAMES[context.arch] : context.arch;
  const binary = electronBinary(context);
  await flipFuses(binary, labFuses(context.electronPlatformName, arch));
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.labFuses = labFuses;
module.exports.electronBinary = electronBinary;
