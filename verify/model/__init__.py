"""The paper's objects: task families, the objectives f_i and F, the algorithms (MAML, FO-MAML, HF-MAML) and the errors they raise.  Nothing here imports a check or the report."""
