/**
 * Pulumi mocks for the component tests, set before any component is imported (mocha `require`).
 * Created resources echo their inputs; generated passwords get a recognisable fake value.
 */
import * as pulumi from "@pulumi/pulumi";
import { cloudOutputs } from "./cloudMocks";

/** The name of every resource the mocks have created, in order (tests that must register nothing look here). */
export const mockedResources: string[] = [];

void pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      mockedResources.push(args.name);
      const state: Record<string, unknown> = { ...args.inputs, ...cloudOutputs(args.type, args.name, args.inputs) };
      if (args.type === "random:index/randomPassword:RandomPassword" || args.type === "pulumi-nodejs:dynamic/tenantstack:Password") {
        state.result = `generated-${args.name}`;
      }
      if (args.type.startsWith("kubernetes:")) {
        const metadata = (args.inputs.metadata ?? {}) as Record<string, unknown>;
        state.metadata = { ...metadata, name: metadata.name ?? args.name };
      }
      return { id: `${args.name}-id`, state };
    },
    call(args: pulumi.runtime.MockCallArgs) {
      return args.inputs;
    },
  },
  "tenantstack",
  "unit",
  false,
);
