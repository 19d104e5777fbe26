import { InvalidTransitionError } from '../common/errors/domain-error';
import { CAMPAIGN_STATES } from '../common/domain';
import {
  assertTransition,
  CAMPAIGN_TRANSITIONS,
  CampaignAction,
  userActionsFrom,
} from './campaign-transitions';

describe('campaign transition table', () => {
  const actions = Object.keys(CAMPAIGN_TRANSITIONS) as CampaignAction[];

  it.each(actions)('%s is allowed exactly from its listed states', (action) => {
    for (const state of CAMPAIGN_STATES) {
      const allowed = (CAMPAIGN_TRANSITIONS[action].from as readonly string[]).includes(state);
      if (allowed) expect(() => assertTransition(action, state)).not.toThrow();
      else expect(() => assertTransition(action, state)).toThrow(InvalidTransitionError);
    }
  });

  it('never leaves cancelled', () => {
    expect(
      actions.filter((action) =>
        (CAMPAIGN_TRANSITIONS[action].from as readonly string[]).includes('cancelled'),
      ),
    ).toEqual([]);
  });

  it('names the state and the allowed ones in the refusal', () => {
    expect(() => assertTransition('pause', 'draft')).toThrow(
      'Cannot pause a campaign that is draft; allowed from: running',
    );
  });

  it('offers people only their own actions, in a stable order', () => {
    expect(userActionsFrom('draft')).toEqual(['schedule', 'start', 'cancel']);
    expect(userActionsFrom('running')).toEqual(['pause', 'cancel', 'retry-failed']);
    expect(userActionsFrom('cancelled')).toEqual([]);
  });
});
