// Public API of the observation/action converters.
export { ConverterError } from './converterError';
export { type RgbFrame, type LeRobotObservation, checkRgbFrame, checkObservation } from './lerobotObservation';
export {
  BilinearResizer,
  bilinearAxisTaps,
  type AxisTaps,
  type ResizeKernels,
  type BilinearResizerOptions,
} from './bilinearResample';
export { wasmSimdAvailable } from './simd/bilinearWasmPasses';
export {
  type PadGeometry,
  padGeometry,
  ResizeWithPadPlan,
  ImageScratch,
  resizeWithPad,
  hwcToChw,
  chwToHwc,
  u8ToFloat32,
  u8ToFloat16,
  floatToU8,
  float16ToU8,
  type ByteRounding,
} from './imageOps';
export {
  type CameraRole,
  CAMERA_ROLES,
  CAMERA_ROLE_HINTS,
  type CameraAssignment,
  roleFromName,
  assignCameraRoles,
} from './cameraRoles';
export {
  type LayoutName,
  type Layout,
  type StateField,
  type ImageSlot,
  type SlotImages,
  type CameraImages,
  type ConverterOptions,
  LAYOUTS,
  LAYOUT_NAMES,
  layoutByName,
  minActionDims,
} from './layouts';
export { type GripperUnits, gripperUnits } from './gripperUnits';
export { type PolicyInput, toPolicy } from './policyInput';
export { type JointTargets, fromPolicy } from './jointTargets';
export { type Converter, type UserConverterModule, builtinConverter } from './converter';
export {
  type ValueStats,
  type Thumbnail,
  type ValueSummary,
  type ConverterWarning,
  type ConverterFailure,
  type SafetySnapshot,
  type InspectionReport,
  THUMBNAIL_MAX_SIDE,
} from './inspectionReport';
export {
  type ImageView,
  type ImageRegion,
  frameView,
  arrayImageView,
  byteScale,
  blockMeans,
  thumbnailOf,
  greySignature,
  chromaticity,
  fullRegion,
} from './imageView';
export {
  numberText,
  statsOf,
  summarizeValues,
  summarizeValue,
  summarizeArray,
  summarizeFrame,
  SMALL_ARRAY,
} from './inputSummary';
export { type StateConvention, type LintInput, lintConversion, SAME_PICTURE } from './converterLint';
export { type ExchangeSnapshot, inspectionReport } from './inspection';
