package io.sedm.serve;

/** The OpenAPI 3.1 document of {@code sedm serve}, served at {@code GET /openapi.json}. */
public final class OpenApi {
    private OpenApi() {}

    public static final String DOCUMENT = """
            {
              "openapi": "3.1.0",
              "info": {
                "title": "sedm serve",
                "version": "0.1.0",
                "description": "Diffusion sampling (EDM, EDM-ES, EDM-G++, SEDM-G++) with step-level continuous batching."
              },
              "paths": {
                "/v1/samples": {
                  "post": {
                    "summary": "Sample images",
                    "requestBody": {
                      "required": true,
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SampleRequest"}}}
                    },
                    "responses": {
                      "200": {
                        "description": "The samples: a PNG grid, a float32 .npy [N, ...] or JSON",
                        "headers": {
                          "X-Request-Id": {"schema": {"type": "integer"}},
                          "X-Queue-Ms": {"schema": {"type": "integer"}, "description": "submission to first evaluation"},
                          "X-Total-Ms": {"schema": {"type": "integer"}, "description": "submission to result"}
                        },
                        "content": {
                          "image/png": {"schema": {"type": "string", "format": "binary"}},
                          "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                          "application/json": {"schema": {"$ref": "#/components/schemas/SampleResponse"}}
                        }
                      },
                      "400": {"$ref": "#/components/responses/Error"},
                      "413": {"$ref": "#/components/responses/Error"},
                      "429": {"$ref": "#/components/responses/Full"},
                      "503": {"$ref": "#/components/responses/Full"},
                      "504": {"$ref": "#/components/responses/Error"}
                    }
                  }
                },
                "/v1/models": {
                  "get": {"summary": "The served models", "responses": {"200": {"description": "models, sample shapes, samplers"}}}
                },
                "/health/live": {"get": {"summary": "Liveness", "responses": {"200": {"description": "the process serves HTTP"}}}},
                "/health/ready": {
                  "get": {
                    "summary": "Readiness: accepting and the queue has room",
                    "responses": {"200": {"description": "ready"}, "503": {"description": "queue full or shutting down"}}
                  }
                },
                "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text format 0.0.4"}}}},
                "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}}
              },
              "components": {
                "responses": {
                  "Error": {"description": "what is wrong", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                  "Full": {
                    "description": "the queue is full (429) or the server is shutting down (503)",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                  }
                },
                "schemas": {
                  "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
                  "SampleRequest": {
                    "type": "object",
                    "additionalProperties": false,
                    "description": "Sampler fields are the `sedm sample` flags without dashes, checked with the same ranges and messages.",
                    "properties": {
                      "model": {"type": "string", "description": "required when the server has several models"},
                      "seeds": {"oneOf": [{"type": "string", "example": "0-15"}, {"type": "array", "items": {"type": "integer", "minimum": 0}}]},
                      "class": {"type": "integer", "minimum": 0, "description": "class-conditional models: the class of every image, in [0, labelDim)"},
                      "classes": {"type": "array", "items": {"type": "integer", "minimum": 0}, "description": "class-conditional models: one class per seed; without class/classes each seed draws EDM's random class"},
                      "format": {"enum": ["png", "npy", "json"], "description": "default png for image models, else json"},
                      "deadline-ms": {"type": "integer", "minimum": 1},
                      "allow-unusual": {"type": "boolean"},
                      "sampler": {"enum": ["edm", "edm-es", "edm-gpp", "sedm-gpp"], "default": "edm"},
                      "steps": {"type": "integer", "minimum": 2, "maximum": 10000, "default": 18},
                      "solver": {"enum": ["heun", "euler"]},
                      "sigma-min": {"type": "number"},
                      "sigma-max": {"type": "number"},
                      "rho": {"type": "number"},
                      "s-churn": {"type": "number"},
                      "s-min": {"type": "number"},
                      "s-max": {"type": "number"},
                      "s-noise": {"type": "number"},
                      "es-scale": {"type": "number"},
                      "es-slope": {"type": "number"},
                      "dg-w1": {"type": "number"},
                      "dg-w2": {"type": "number"},
                      "dg-window": {"type": "string", "example": "0.01,1"},
                      "dg-boosting": {"type": "boolean"}
                    }
                  },
                  "SampleResponse": {
                    "type": "object",
                    "properties": {
                      "request": {"type": "integer"},
                      "sampler": {"type": "string"},
                      "steps": {"type": "integer"},
                      "seeds": {"type": "array", "items": {"type": "integer"}},
                      "classes": {"type": "array", "items": {"type": "integer"}, "description": "conditional models only"},
                      "shape": {"type": "array", "items": {"type": "integer"}},
                      "samples": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}
                    }
                  }
                }
              }
            }
            """;
}
