"""What turns evidence into verdicts: confidence bounds and error budgets, evidence records, recorded findings, mutations and tightness records.  Imports only bounds/ and the model."""
