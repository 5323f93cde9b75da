// The blocks that state a condition, as in Terraform: a variable's `validation`, a resource
// lifecycle's `precondition` and `postcondition`, each with a `condition` and an
// `error_message`; a postcondition reads the resource as `self`. One list for the two places
// that know these words: the evaluator (src/config/conditions.ts) and the TextMate grammar
// (grammar.ts), which gives them their own scopes.
export const conditionBlockTypes = ['validation', 'precondition', 'postcondition'] as const;
export const conditionAttributes = ['condition', 'error_message'] as const;
/** The name a postcondition reads its resource by. */
export const SELF = 'self';
