using DistCacheAkka.Samples.WebApi;

// Run a cluster first (README quick start), then:
//   dotnet run --project samples/WebApi -- --DistCache:Seeds=127.0.0.1:4053 --urls http://127.0.0.1:5080
var app = ForecastApp.Build(args);
await app.RunAsync();
