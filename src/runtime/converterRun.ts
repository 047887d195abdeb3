// Runs a converter afresh on the last exchange the loop kept — the inspector's "Run on last observation": the
// module as saved now, compiled apart from the episode's own, its exceptions returned in the report, never thrown.
import path from 'node:path';
import { toConverterOptions, type So100Config } from '../core/config';
import { builtinConverter, type Converter, type JointTargets, type PolicyInput } from '../core/convert';
import { inspectionReport, type InspectionReport } from '../core/convert';
import { UserConverter } from '../io/convert';
import { converterFailure, type LastExchange } from './lastExchange';

export interface ConverterRun {
  readonly workspace: string;
  readonly config: So100Config;
  readonly exchange: LastExchange;
  /** A module file (relative to the workspace); default the configured one, else the built-in layout. */
  readonly module?: string;
}

export async function runConverterOnExchange({
  workspace,
  config,
  exchange,
  module,
}: ConverterRun): Promise<InspectionReport> {
  const file = module ?? config.converter.module;
  let converter: Converter & Partial<Disposable>;
  try {
    converter = file
      ? await UserConverter.load(path.resolve(workspace, file), {
          layout: config.converter.layout,
          converterOptions: toConverterOptions(config.converter),
          watch: false,
        })
      : builtinConverter(config.converter.layout, toConverterOptions(config.converter));
  } catch (err) {
    const name = file ? path.resolve(workspace, file) : config.converter.layout;
    return inspectionReport(
      'runConverter',
      { converter: name, observation: exchange.observation, error: converterFailure('load', err) },
      config.robot.normMode,
    );
  }
  try {
    const obs = exchange.observation;
    let converted: PolicyInput | undefined;
    let targets: JointTargets | undefined;
    let error;
    if (obs) {
      try {
        converted = converter.toPolicy(obs);
      } catch (err) {
        error = converterFailure('toPolicy', err);
      }
    }
    const chunk = exchange.lastChunk;
    if (chunk && !error) {
      try {
        targets = converter.fromPolicy(chunk);
      } catch (err) {
        error = converterFailure('fromPolicy', err);
      }
    }
    return inspectionReport(
      'runConverter',
      {
        converter: converter.name,
        layout: converter.layout,
        episode: exchange.episode,
        tick: exchange.tick,
        observation: obs,
        input: converted?.input,
        converterWarnings: [...(converted?.warnings ?? []), ...(targets?.warnings ?? [])],
        reply: exchange.lastReply,
        targets,
        error,
      },
      config.robot.normMode,
    );
  } finally {
    converter[Symbol.dispose]?.();
  }
}
