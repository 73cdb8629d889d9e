/** The most threads `compile --jobs` may ask for: each costs memory for its own heap and its batch's text. */
export const MAX_JOBS = 256;

