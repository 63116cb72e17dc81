"""Seed sweeps of ``pytest verify`` on Dask, and one run split into shards: measured error rates instead of anecdotes.

``python -m verify.sweep --seeds 1000:1199 --out DIR`` runs the suite once per seed, each run a
pytest subprocess on a Dask worker (a LocalCluster on this machine, or the cluster at
``--scheduler``), writes each seed's record under ``DIR/seeds/`` as it arrives, and merges them
into ``DIR/sweep.json`` and ``DIR/sweep.html``.  The same command again resumes.  ``--shards N``
splits each seed's run by test id over the workers and merges the shards into one report, as a
serial run writes it.  docs/sweep.md has the commands and what the intervals mean.

  task   one subprocess: a seed's run or one shard of it (runs on the worker)
  plan   the split of a run into shards, longest tests first
  store  the sweep's directory: configuration, seed records, shards, merged reports
  run    the client: Dask, resumption, records written as they arrive
  merge  sweep.json: verdict counts, worst ratios, false-alarm bound, rediscovery rates
  page   sweep.html
  promote  a worst instance of the sweep made a pinned instance of its check, on purpose
"""
