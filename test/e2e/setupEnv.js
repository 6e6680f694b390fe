'use strict';
// Jest sets NODE_ENV=test; n8n 2.41 started with NODE_ENV=test exits at once with code 1 and an
// empty log. The n8n processes the tests start (server and CLI) inherit this process's env.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;
