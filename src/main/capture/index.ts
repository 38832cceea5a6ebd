/** Camera capture: frames into lab-owned captures inside the workspace, and captures into datasets. */
export { saveFrame, deleteFrame, listCaptures, listFrames, getCapture, checkName } from './frames';
export { captureToDataset } from './to-dataset';
export { capturePaths } from './ledger';
