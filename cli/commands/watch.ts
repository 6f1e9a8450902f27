// `ireets watch MODEL.onnx --target T [-o OUT] [--run [--input …]]` (being written).
import type { CommandModule } from 'yargs';
import { IreetsError } from '../../src/util/errors.js';

export const watchCommand: CommandModule<object, { model: string }> = {
  command: 'watch <model>',
  describe: 'rebuild the module whenever the model (or tuning spec) changes',
  builder: (y) => y.positional('model', { type: 'string', demandOption: true }) as never,
  handler: () => {
    throw new IreetsError('INTERNAL', 'ireets watch is not available in this build');
  },
};
