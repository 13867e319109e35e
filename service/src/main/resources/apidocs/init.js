// The service's own OpenAPI document (GET /openapi.json), rendered by Swagger UI (served from its WebJar).
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
