using System.Net.Http.Json;
using System.Text.Json;
using DistCacheAkka.Tests.Multinode.Support;

namespace DistCacheAkka.Tests.Multinode.Management;

/// <summary>A settled 2-node in-process cluster and an HTTP client per node's management endpoint (real HTTP on loopback).</summary>
public sealed class ManagementClusterFixture : IAsyncLifetime
{
    public InProcessCluster Cluster { get; private set; } = null!;

    public IReadOnlyList<HttpClient> Http { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Cluster = await InProcessCluster.StartAsync(2);
        Http = Cluster.Nodes.Select(n => new HttpClient { BaseAddress = InProcessCluster.ManagementAddressOf(n), Timeout = TimeSpan.FromSeconds(30) }).ToList();
    }

    public async Task DisposeAsync()
    {
        foreach (var http in Http)
            http.Dispose();
        await Cluster.DisposeAsync();
    }

    public static async Task<(int Status, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string uri, string? body = null)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
            request.Content = new StringContent(body);
        using var response = await http.SendAsync(request);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return ((int)response.StatusCode, json);
    }
}
