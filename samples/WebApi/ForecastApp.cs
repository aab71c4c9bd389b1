using DistCacheAkka.ClientProxy;
using Microsoft.Extensions.Caching.Hybrid;

namespace DistCacheAkka.Samples.WebApi;

/// <summary>
/// A weather-forecast API whose forecasts are slow to compute, cached with <see cref="HybridCache"/> over the
/// cluster: L1 is the client's coherent near cache, L2 the cluster. Several instances of this application can run
/// against one cluster; a forecast computed by one is served by the others without recomputing, and a change or an
/// invalidation made through any instance is seen by every instance's next read.
/// </summary>
public static class ForecastApp
{
    /// <summary>Every forecast carries this tag, so <c>POST /forecasts/invalidate</c> drops them all at once.</summary>
    public const string ForecastTag = "forecast";

    /// <summary>
    /// Builds the application. Configuration (any .NET source: arguments, environment, appsettings):
    /// <c>DistCache:Seeds</c> (comma-separated host:port of data nodes, required), <c>DistCache:Instance</c> (a name
    /// reported in the forecasts it computes; default the machine name and process id).
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var seeds = (builder.Configuration["DistCache:Seeds"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (seeds.Length == 0)
            throw new ArgumentException("DistCache:Seeds is empty; name at least one data node, e.g. --DistCache:Seeds=127.0.0.1:4053.");
        var instance = builder.Configuration["DistCache:Instance"] ?? $"{Environment.MachineName}:{Environment.ProcessId}";

        builder.Services.AddDistCache(new DistCacheClientOptions
        {
            SeedNodes = seeds,
            // Eventual reads may be served from the near cache (L1); it is invalidated by every write in the cluster.
            DefaultConsistency = Messages.ConsistencyLevel.Eventual,
            NearCache = new NearCacheOptions { MaxEntries = 10_000 },
        });
        builder.Services.AddDistCacheHybridCache();
        builder.Services.AddSingleton(new ForecastSource(instance));
        builder.Services.AddHealthChecks().AddDistCache();

        var app = builder.Build();
        app.MapHealthChecks("/health");
        MapForecasts(app);
        return app;
    }

    private static void MapForecasts(WebApplication app)
    {
        var entry = new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(10) };
        string[] tags = [ForecastTag];

        app.MapGet("/forecasts/{city}", async (string city, HybridCache cache, ForecastSource source, CancellationToken ct) =>
            await cache.GetOrCreateAsync($"forecast:{city}", city, (c, token) => source.ComputeAsync(c, token), entry, tags, ct));

        app.MapPut("/forecasts/{city}", async (string city, ForecastUpdate update, HybridCache cache, ForecastSource source, CancellationToken ct) =>
        {
            var forecast = new Forecast(city, update.TemperatureC, source.Instance, DateTimeOffset.UtcNow);
            await cache.SetAsync($"forecast:{city}", forecast, entry, tags, ct);
            return Results.Ok(forecast);
        });

        app.MapDelete("/forecasts/{city}", async (string city, HybridCache cache, CancellationToken ct) =>
        {
            await cache.RemoveAsync($"forecast:{city}", ct);
            return Results.NoContent();
        });

        app.MapPost("/forecasts/invalidate", async (HybridCache cache, CancellationToken ct) =>
        {
            await cache.RemoveByTagAsync(ForecastTag, ct);
            return Results.NoContent();
        });

        // How many forecasts this instance computed: shows which reads the cache answered.
        app.MapGet("/source/computations", (ForecastSource source) => Results.Ok(source.Computations));
    }
}

/// <summary>A forecast as the API returns it; <see cref="ComputedBy"/> names the instance that computed or set it.</summary>
public sealed record Forecast(string City, int TemperatureC, string ComputedBy, DateTimeOffset ComputedAt);

/// <summary>The body of <c>PUT /forecasts/{city}</c>.</summary>
public sealed record ForecastUpdate(int TemperatureC);

/// <summary>The slow data source behind the cache (a stand-in for a database or a remote service).</summary>
public sealed class ForecastSource(string instance)
{
    private int _computations;

    /// <summary>The name this instance reports in what it computes.</summary>
    public string Instance { get; } = instance;

    /// <summary>How many forecasts this instance computed since it started.</summary>
    public int Computations => Volatile.Read(ref _computations);

    /// <summary>Computes a forecast; takes about 100 ms, as a real source would.</summary>
    public async ValueTask<Forecast> ComputeAsync(string city, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _computations);
        await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken); // the source's latency, not a synchronisation
        var temperature = city.ToUpperInvariant().Sum(c => c) % 40 - 5; // stable across processes, unlike GetHashCode
        return new Forecast(city, temperature, Instance, DateTimeOffset.UtcNow);
    }
}
