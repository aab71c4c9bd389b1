using System.Net;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Nemesis;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.Processes;

// Cluster bootstrap without static seeds (issue 16): three CacheNode processes on loopback, started with config
// discovery (every node lists the three bootstrap endpoints, 127.0.0.1 on distinct ports) and no --seed at all, form
// ONE cluster — each node reports itself ready only once it sees three data nodes Up (warm-up-min-data-nodes = 3) —
// and serve every shard: a client connected to any one of them sees three data nodes, all 1,024 shards placed, and
// reads back keys spread over all shards.
public sealed class BootstrapProcessSpecs(ITestOutputHelper output)
{
    private const string Hocon = """
        distcache.node.warm-up-min-data-nodes = 3
        # Quicker formation than the default 5 s; the nodes start together.
        distcache.bootstrap.stable-margin = 2s
        akka.management.cluster.bootstrap.contact-point.probe-interval = 1s
        """;

    [Fact]
    public async Task Should_form_one_cluster_from_config_discovery_without_seeds_and_serve_every_shard()
    {
        var config = Path.Combine(Path.GetTempPath(), $"distcache-bootstrap-{Guid.NewGuid():N}.conf");
        File.WriteAllText(config, Hocon);
        var bootstrapPorts = Enumerable.Range(0, 3).Select(_ => NodeProcess.FreePort()).ToArray();
        var contacts = bootstrapPorts.SelectMany(p => new[] { "--contact", $"127.0.0.1:{p}" }).ToArray();
        var nodes = new List<(NodeProcess Process, int ManagementPort)>();
        try
        {
            foreach (var (bootstrapPort, i) in bootstrapPorts.Select((p, i) => (p, i)))
            {
                var port = NodeProcess.FreePort();
                var management = NodeProcess.FreePort();
                string[] args =
                [
                    "--role", i == 0 ? "seed" : "worker", "--port", port.ToString(), "--mgmt-port", management.ToString(),
                    "--bootstrap", "config", .. contacts, "--bootstrap-port", bootstrapPort.ToString(), "--required-contacts", "3",
                    "--config", config,
                ];
                nodes.Add((NodeProcess.Start(port, args), management));
            }

            foreach (var (node, _) in nodes)
                await node.WaitListeningAsync(TimeSpan.FromSeconds(60));

            // Every node ready: Up, warmed up with three data nodes Up, every hosted shard recovered. Three nodes each
            // seeing three data nodes means one cluster, not two.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var (node, management) in nodes)
                await Eventually.HoldsAsync(async () => await ReadyAsync(http, management), TimeSpan.FromSeconds(60),
                    $"the node on port {node.Port} ready (/health/ready)");

            await using var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
            {
                SeedNodes = [nodes[2].Process.Endpoint],
                ConnectTimeout = TimeSpan.FromSeconds(30),
                ExtraHocon = "akka.loglevel = ERROR",
            });
            await ShardReadiness.WaitDataNodesAsync(client, 3, TimeSpan.FromSeconds(30));
            await ShardReadiness.WaitAllAllocatedAsync(client);
            var topology = await ((IClientProxyAccess)client).GetTopologyAsync();
            Assert.Equal(nodes.Select(n => n.Process.Port).Order(), topology.DataNodes.Select(a => int.Parse(a[(a.LastIndexOf(':') + 1)..])).Order());
            Assert.Equal(3, topology.Owners.Values.Distinct().Count());

            var batch = Enumerable.Range(0, 3_000).ToDictionary(i => $"bootstrap:{i}", i => i);
            await client.SetMultipleAsync(batch);
            var read = await client.GetMultipleAsync<int>(batch.Keys);
            Assert.Equal(batch, read.OrderBy(kv => kv.Value).ToDictionary());

            // It was the bootstrap that formed the cluster: no node was given a seed.
            Assert.All(nodes, n => Assert.Contains("Cluster bootstrap started: config discovery", n.Process.Output));
        }
        finally
        {
            foreach (var (node, _) in nodes)
            {
                output.WriteLine($"---- node on port {node.Port} (exited: {node.HasExited}) ----\n{node.Output}");
                node.Dispose();
            }

            File.Delete(config);
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient http, int managementPort)
    {
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{managementPort}/health/ready");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
