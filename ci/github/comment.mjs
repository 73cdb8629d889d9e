// Step "comment", run by actions/github-script (which hands in an authenticated Octokit as
// `github`, the event as `context`, and `core`): posts the diff step's report on the pull
// request, or updates the comment an earlier run posted (found by its marker), so a pull request
// carries one msgrfw comment however often it is pushed.
import { readFileSync } from 'node:fs';
import { MARKER } from './lib.mjs';

export async function postDiffComment({ github, context, core, bodyPath }) {
  const number = context.payload.pull_request?.number;
  if (!number) return void core.info('not a pull request: no comment');
  const body = readFileSync(bodyPath, 'utf8');
  const where = { owner: context.repo.owner, repo: context.repo.repo, issue_number: number };
  try {
    const comments = await github.paginate(github.rest.issues.listComments, { ...where, per_page: 100 });
    const earlier = comments.find((c) => typeof c.body === 'string' && c.body.includes(MARKER));
    if (earlier) {
      if (earlier.body === body) return void core.info(`comment ${earlier.html_url ?? earlier.id} is up to date`);
      await github.rest.issues.updateComment({ owner: where.owner, repo: where.repo, comment_id: earlier.id, body });
      return void core.info(`updated comment ${earlier.html_url ?? earlier.id}`);
    }
    // A pull request that touches no policy gets no comment (until it does).
    if (body.includes('No policy file changed.')) return void core.info('no policy file changed: no comment');
    const created = await github.rest.issues.createComment({ ...where, body });
    core.info(`commented ${created.data?.html_url ?? ''}`);
  } catch (e) {
    // A pull request from a fork runs with a read-only token: the report stays in the job summary.
    if (e.status === 403 || e.status === 404) {
      return void core.warning(`cannot comment on pull request #${number} (${e.status}: ${e.message}); the report is in the job summary. A pull request from a fork gets a read-only token; give the job 'pull-requests: write'.`);
    }
    throw e;
  }
}
