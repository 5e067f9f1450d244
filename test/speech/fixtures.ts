import { grammarFromJsgf } from '../../src/speech/index.js';

/** Hand-written command grammar until `src/nlu` exports `buildGrammar()` (spoken-word forms). */
export const COMMAND_JSGF = `#JSGF V1.0;
grammar holomesh;
public <command> = <buy> | <subscribe> | <balance> | <find>;
<chip> = neon dragon | starlight koi | crystal wave | paper crane | quantum koi | midnight bloom | solar flare | aurora veil | glitch garden;
<designer> = nova | aria chen | kenji sato | lumen labs | vega flux | mira okafor;
<tag> = neon | dragon | cyberpunk | fish | calm | crystal | ocean | origami | minimal | floral | dark | space | fire | light | nature | glitch;
<buy> = buy [the] <chip> [chip];
<subscribe> = subscribe to <designer>;
<balance> = what is my balance | how many credits do i have;
<find> = show me <tag> chips | open holomesh;
`;

export const COMMAND_GRAMMAR = grammarFromJsgf(COMMAND_JSGF);

/** Commands the grammar accepts, covering the names missing from the dictionaries. */
export const COMMANDS = [
  'buy the neon dragon chip',
  'subscribe to kenji sato',
  'what is my balance',
  'subscribe to mira okafor',
  'buy quantum koi',
  'show me cyberpunk chips',
  'open holomesh',
  'subscribe to lumen labs',
  'buy the starlight koi',
  'how many credits do i have',
] as const;
