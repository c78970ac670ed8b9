// End-to-end test of search as you type while the phone is in use (issue 3): a call that rings while
// the agent is searching keeps its Answer button focused and its card in view, and the search box
// still works during the call (Alt+A answers from it; a found customer's number can be dialled).
// Run by test/e2e/run.ts with the same rig as the call-control tests.
import { STORY_NUMBERS } from '../../shared/demo/demo-customers';
import type { CallRig } from './call-control';
import { check, until } from './lib/harness';

export function searchTests(get: () => CallRig): { name: string; fn: () => Promise<void>; cleanup: () => Promise<void> }[] {
  async function whileRinging(): Promise<void> {
    const { agent, caller, domain } = get();
    const page = agent.page;
    check((await agent.status()) === 'Ready', `agent 1 should be Ready before the call, it is "${await agent.status()}"`);
    const box = page.getByRole('combobox', { name: 'Search customers' });
    const options = page.getByTestId('search-results').getByRole('option');
    const isFocused = (el: Element) => el === document.activeElement;

    await page.keyboard.press('Control+K');
    await page.keyboard.type('王芳');
    await until('search results for 王芳', async () => (await options.first().textContent())?.includes('王芳'));
    check(await box.evaluate(isFocused), 'the search box should have the focus while the agent types');

    // The call rings while the list is open and the agent is typing.
    await caller.call({ target: `sip:1001@${domain}`, fromUser: STORY_NUMBERS.shared, fromDisplayName: 'Customer' });
    await agent.waitState('ringing');
    const answer = page.getByTestId('call-panel').getByRole('button', { name: 'Answer', exact: true });
    await until('the Answer button focused', () => answer.evaluate(isFocused));
    await until('the search list folded away', async () => (await page.getByTestId('search-popup').count()) === 0);
    check((await box.inputValue()) === '王芳', `the query should be kept, it is "${await box.inputValue()}"`);
    await until('the caller’s pop (two customers share the number)', () => page.getByTestId('match-picker').isVisible());
    // Still the Answer button after the pop painted: nothing took the focus back.
    check(await answer.evaluate(isFocused), 'the Answer button should still have the focus once the pop is painted');

    // The agent goes back to the search while it rings, narrows it, and answers from the box.
    await page.keyboard.press('Control+K');
    await page.keyboard.press('End');
    await page.keyboard.type(' 华信');
    await until('one result for 王芳 华信', async () => (await options.count()) === 1);
    await page.keyboard.press('Alt+A');
    await caller.waitState('Established');
    await agent.waitState('active');
    check(await box.evaluate(isFocused), 'answering with Alt+A should leave the focus in the search box');

    // The found customer's card opens in the search, with click-to-dial available (registered).
    await page.keyboard.press('Enter');
    const card = page.getByTestId('search-card').getByTestId('customer-card');
    await until('王芳’s card from the search', async () => (await card.getAttribute('data-customer-id')) === 'C-STORY-1');
    const dial = card.getByRole('button', { name: /Call 138 0013 8000/ });
    check(!(await dial.isDisabled()), 'click-to-dial should be available on a card opened from the search');
    // The call's own pop stays what it was: the search does not change who is on the line.
    check(await page.getByTestId('pop').first().isVisible(), 'the call’s pop should still be on screen');

    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await until('three Esc: back to the list, closed, cleared', async () => (await box.inputValue()) === '');
    await page.keyboard.press('Alt+H');
    await caller.waitState('Terminated');
  }

  async function cleanup(): Promise<void> {
    const r = get();
    await r.caller.settle();
    await r.agent.page.keyboard.press('Escape').catch(() => undefined);
  }

  return [{ name: 'search while a call rings: Answer keeps the focus, the list folds away, Alt+A answers from the search box', fn: whileRinging, cleanup }];
}
