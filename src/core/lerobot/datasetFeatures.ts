// The LeRobotDataset v3.0 schema of an SO-100 export: feature names, dtypes and shapes, info.json and the paths
// of its files. Pure data: the writer (io/export) and the tests derive everything from here.
import { DEFAULT_ROBOT_TYPE, ROBOTS } from '../robots';
import { SO100_MOTORS } from '../so100/motors';

export const CODEBASE_VERSION = 'v3.0';
/** The `robot_type` written when a record names none: the registry's default robot. */
export const SO100_ROBOT_TYPE: string = ROBOTS[DEFAULT_ROBOT_TYPE].type;
export const CHUNKS_SIZE = 1000;
export const DATA_FILES_SIZE_IN_MB = 100;
export const VIDEO_FILES_SIZE_IN_MB = 200;
export const DATA_PATH = 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const VIDEO_PATH = 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4';

/** The six joint names LeRobot's SO-100 follower reports, `<motor>.pos`. */
export const JOINT_NAMES: readonly string[] = SO100_MOTORS.map((m) => `${m}.pos`);

export type FeatureDtype = 'float32' | 'int64' | 'bool' | 'video';

export interface Feature {
  readonly dtype: FeatureDtype;
  readonly shape: readonly number[];
  readonly names: readonly string[] | null;
  readonly info?: Readonly<Record<string, string | number | boolean>>;
}

export interface VideoSpec {
  readonly camera: string;
  readonly width: number;
  readonly height: number;
  /** The encoder's own fields for info.json: codec, pix_fmt, g, crf, preset. */
  readonly codec: string;
  readonly pixFmt: string;
  readonly encoderInfo: Readonly<Record<string, string | number>>;
}

export interface DatasetShape {
  readonly fps: number;
  readonly robotType: string;
  readonly videos: readonly VideoSpec[];
  /** next.success / next.done / next.reward of evaluation rollouts. */
  readonly evaluation: boolean;
  /** The policy's raw joint rows as an extra `action.policy` feature. */
  readonly policyAction: boolean;
}

/** Feature key of a camera: `observation.images.<camera>`. */
export function videoKey(camera: string): string {
  return `observation.images.${camera}`;
}

/** Non-video features in column order of the data parquet. */
export function dataFeatures(shape: DatasetShape): Record<string, Feature> {
  const joints: Feature = { dtype: 'float32', shape: [JOINT_NAMES.length], names: JOINT_NAMES };
  const features: Record<string, Feature> = { 'observation.state': joints, action: joints };
  if (shape.policyAction) features['action.policy'] = joints;
  if (shape.evaluation) {
    features['next.reward'] = { dtype: 'float32', shape: [1], names: null };
    features['next.success'] = { dtype: 'bool', shape: [1], names: null };
    features['next.done'] = { dtype: 'bool', shape: [1], names: null };
  }
  features.timestamp = { dtype: 'float32', shape: [1], names: null };
  for (const k of ['frame_index', 'episode_index', 'index', 'task_index']) {
    features[k] = { dtype: 'int64', shape: [1], names: null };
  }
  return features;
}

export function allFeatures(shape: DatasetShape): Record<string, Feature> {
  const features: Record<string, Feature> = {};
  for (const v of shape.videos) {
    features[videoKey(v.camera)] = {
      dtype: 'video',
      shape: [v.height, v.width, 3],
      names: ['height', 'width', 'channels'],
      info: {
        'video.height': v.height,
        'video.width': v.width,
        'video.codec': v.codec,
        'video.pix_fmt': v.pixFmt,
        'video.is_depth_map': false,
        'video.fps': shape.fps,
        'video.channels': 3,
        has_audio: false,
        ...Object.fromEntries(Object.entries(v.encoderInfo).map(([k, val]) => [`video.${k}`, val])),
      },
    };
  }
  return { ...features, ...dataFeatures(shape) };
}

export interface DatasetTotals {
  readonly episodes: number;
  readonly frames: number;
  readonly tasks: number;
}

export function datasetInfo(shape: DatasetShape, totals: DatasetTotals): Record<string, unknown> {
  return {
    codebase_version: CODEBASE_VERSION,
    robot_type: shape.robotType,
    total_episodes: totals.episodes,
    total_frames: totals.frames,
    total_tasks: totals.tasks,
    chunks_size: CHUNKS_SIZE,
    data_files_size_in_mb: DATA_FILES_SIZE_IN_MB,
    video_files_size_in_mb: VIDEO_FILES_SIZE_IN_MB,
    fps: shape.fps,
    splits: { train: `0:${totals.episodes}` },
    data_path: DATA_PATH,
    video_path: shape.videos.length > 0 ? VIDEO_PATH : null,
    features: allFeatures(shape),
  };
}

/** A file's place: data/chunk-{chunk}/file-{file}. */
export interface FileLocation {
  readonly chunk: number;
  readonly file: number;
}

const pad3 = (n: number) => String(n).padStart(3, '0');

export function dataFilePath(at: FileLocation): string {
  return `data/chunk-${pad3(at.chunk)}/file-${pad3(at.file)}.parquet`;
}

export function videoFilePath(camera: string, at: FileLocation): string {
  return `videos/${videoKey(camera)}/chunk-${pad3(at.chunk)}/file-${pad3(at.file)}.mp4`;
}

export function episodesFilePath(at: FileLocation): string {
  return `meta/episodes/chunk-${pad3(at.chunk)}/file-${pad3(at.file)}.parquet`;
}

/** The file after `at`: a chunk folder holds CHUNKS_SIZE files. */
export function nextFileLocation(at: FileLocation): FileLocation {
  return at.file + 1 >= CHUNKS_SIZE ? { chunk: at.chunk + 1, file: 0 } : { chunk: at.chunk, file: at.file + 1 };
}
