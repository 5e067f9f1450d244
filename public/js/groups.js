import { announce, byId, clear, el } from './dom.js';
import { api, ApiError } from './api.js';

const message = (err) => (err instanceof ApiError || err instanceof Error ? err.message : String(err));
const when = (iso) => new Date(iso).toLocaleString();

/**
 * The Groups view: every group with join / leave, the chosen group's posts (newest first, older
 * ones on request) and a box to post to it. Posts and names are people's words: text only.
 */
export function setupGroups() {
  const status = byId('groups-status');
  const list = byId('groups-list');
  const postsTitle = byId('group-posts-title');
  const posts = byId('group-posts');
  const form = byId('group-post-form');
  const text = byId('group-post-text');
  const older = byId('group-posts-older');
  let groups = [];
  let chosen = null;
  let oldest = null;

  function renderGroups() {
    clear(list);
    if (groups.length === 0) list.append(el('li', { class: 'hint', text: 'No groups yet.' }));
    for (const g of groups) {
      list.append(el('li', { class: chosen?.id === g.id ? 'group chosen' : 'group' },
        el('button', { type: 'button', class: 'link', 'aria-current': chosen?.id === g.id ? 'true' : undefined, text: g.name, onclick: () => void choose(g) }),
        el('span', { class: 'hint', text: ` ${g.members} ${g.members === 1 ? 'member' : 'members'} · by ${g.createdBy}` }),
        g.description ? el('p', { class: 'hint', text: g.description }) : null,
        el('button', { type: 'button', text: g.isMember ? 'Leave' : 'Join', onclick: () => void membership(g, !g.isMember) })));
    }
  }

  function postItem(p) {
    return el('li', { class: p.parentId ? 'post reply' : 'post' },
      el('p', { class: 'post-meta' }, el('strong', { text: p.author }), el('span', { class: 'hint', text: ` · ${when(p.createdAt)}${p.parentId ? ' · reply' : ''}` })),
      el('p', { class: 'post-text', text: p.text }));
  }

  async function loadPosts(more = false) {
    if (!chosen) return;
    const query = `limit=20${more && oldest ? `&before=${encodeURIComponent(oldest)}` : ''}`;
    const data = await api('GET', `/v1/groups/${chosen.id}/posts?${query}`);
    if (!more) clear(posts);
    for (const p of data.posts) posts.append(postItem(p));
    if (!more && data.posts.length === 0) posts.append(el('li', { class: 'hint', text: 'No posts yet.' }));
    oldest = data.posts.at(-1)?.createdAt ?? oldest;
    older.hidden = data.posts.length < 20;
  }

  async function choose(group) {
    chosen = group;
    oldest = null;
    postsTitle.textContent = `Posts in ${group.name}`;
    form.hidden = !group.isMember;
    renderGroups();
    try {
      await loadPosts();
      announce(status, '');
    } catch (err) {
      announce(status, `Could not load the posts: ${message(err)}`);
    }
  }

  async function membership(group, join) {
    try {
      await api(join ? 'POST' : 'DELETE', `/v1/groups/${group.id}/members`);
      // Reloaded first: a reload clears the status line, and this one should stay.
      await load();
      announce(status, join ? `You joined ${group.name}.` : `You left ${group.name}.`);
    } catch (err) {
      announce(status, `Could not ${join ? 'join' : 'leave'} ${group.name}: ${message(err)}`);
    }
  }

  async function load() {
    try {
      groups = (await api('GET', '/v1/groups')).groups;
      chosen = groups.find((g) => g.id === chosen?.id) ?? groups[0] ?? null;
      renderGroups();
      if (chosen) await choose(chosen);
    } catch (err) {
      announce(status, `Could not load the groups: ${message(err)}`);
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const words = text.value.trim();
    if (!chosen || !words) {
      announce(status, 'Write something to post.');
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await api('POST', `/v1/groups/${chosen.id}/posts`, { text: words });
      text.value = '';
      announce(status, `Posted to ${chosen.name}.`);
      await loadPosts();
    } catch (err) {
      announce(status, err instanceof ApiError && err.status === 429 ? `You've posted a lot just now. Try again in ${err.retryAfterS ?? 60} seconds.` : `Could not post: ${message(err)}`);
    } finally {
      button.disabled = false;
    }
  });
  older.addEventListener('click', () => void loadPosts(true).catch((err) => announce(status, message(err))));

  return {
    load,
    /** A new post arrived live: show it when its group is open. */
    notified(data) {
      if (chosen && data?.groupId === chosen.id) void loadPosts();
    },
  };
}
