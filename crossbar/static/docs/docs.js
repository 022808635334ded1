// The API description (/v2/openapi.json) rendered by the vendored Swagger UI
// (crossbar/static/docs/vendor/swagger-ui, see its VERSION). Nothing is fetched
// from elsewhere: validatorUrl null keeps Swagger UI from calling its online validator.
window.ui = SwaggerUIBundle({
  url: "/v2/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: false,
});
