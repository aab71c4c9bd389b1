using System.Net;
using System.Net.Http.Json;
using DistCacheAkka.Samples.WebApi;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// The sample application samples/WebApi, as a user runs it: two instances on real Kestrel servers over one 2-node
// cluster, driven by HttpClient. A forecast computed by one instance is served by the other without recomputing;
// concurrent requests for a missing forecast compute it once; a PUT, a DELETE and a tag invalidation made through one
// instance are what the other instance's next reads return (awaited with a deadline: invalidations travel
// asynchronously); the health endpoint reports the cluster.
public sealed class WebApiSampleSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private InProcessCluster _cluster = null!;
    private WebApplication _appA = null!, _appB = null!;
    private HttpClient _a = null!, _b = null!;

    public async Task InitializeAsync()
    {
        _cluster = await InProcessCluster.StartAsync(2, "distcache.shards = 1024"); // the sample app passes no cluster settings: the default S
        (_appA, _a) = await StartAsync("A");
        (_appB, _b) = await StartAsync("B");
    }

    public async Task DisposeAsync()
    {
        _a?.Dispose();
        _b?.Dispose();
        if (_appA is not null) await _appA.DisposeAsync();
        if (_appB is not null) await _appB.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Should_share_compute_once_and_see_every_instances_changes()
    {
        // One test (one cluster, two servers): xunit builds the class afresh for every test.
        var health = await _a.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());

        var oslo = await GetAsync(_a, "Oslo");
        Assert.Equal("A", oslo.ComputedBy);
        Assert.Equal(1, await ComputationsAsync(_a));

        // B reads A's forecast from L2 without computing it.
        Assert.Equal(oslo, await GetAsync(_b, "Oslo"));
        Assert.Equal(0, await ComputationsAsync(_b));

        // Ten concurrent requests for a missing forecast: one computation.
        var bergen = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => GetAsync(_b, "Bergen")));
        Assert.Single(bergen.Distinct());
        Assert.Equal(1, await ComputationsAsync(_b));

        // Both instances now hold Oslo in L1; a PUT through B reaches A's next reads.
        Assert.Equal(oslo, await GetAsync(_a, "Oslo"));
        var put = await _b.PutAsJsonAsync("/forecasts/Oslo", new ForecastUpdate(42));
        put.EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(async () => (await GetAsync(_a, "Oslo")).TemperatureC == 42, Deadline, "A reads B's PUT");

        // A DELETE through A: B's next read computes afresh.
        (await _a.DeleteAsync("/forecasts/Oslo")).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(async () => (await GetAsync(_b, "Oslo")).ComputedBy == "B", Deadline, "B recomputes after A's DELETE");

        // A tag invalidation through A drops Bergen (computed by B) everywhere: A's next read computes it.
        Assert.Equal("B", (await GetAsync(_a, "Bergen")).ComputedBy);
        var computedByA = await ComputationsAsync(_a);
        (await _a.PostAsync("/forecasts/invalidate", null)).EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(async () => (await GetAsync(_a, "Bergen")).ComputedBy == "A", Deadline, "A recomputes after the invalidation");
        Assert.Equal(computedByA + 1, await ComputationsAsync(_a));
        await Eventually.HoldsAsync(async () => (await GetAsync(_b, "Bergen")).ComputedBy == "A", Deadline, "B reads A's fresh Bergen");
    }

    private async Task<(WebApplication, HttpClient)> StartAsync(string instance)
    {
        var app = ForecastApp.Build([$"--DistCache:Seeds={_cluster.SeedEndpoint}", $"--DistCache:Instance={instance}",
            "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(20) });
    }

    private static async Task<Forecast> GetAsync(HttpClient http, string city) =>
        await http.GetFromJsonAsync<Forecast>($"/forecasts/{city}") ?? throw new InvalidOperationException("no forecast in the reply");

    private static async Task<int> ComputationsAsync(HttpClient http) => await http.GetFromJsonAsync<int>("/source/computations");
}
