import { z } from 'zod';

/** The `noise` switch every profile-driven device entry has. */
export const noiseField = z
  .boolean()
  .default(false)
  .describe("Resample the profile's fit residuals (its noise block) for every iteration or request, from a stream seeded per replica");
