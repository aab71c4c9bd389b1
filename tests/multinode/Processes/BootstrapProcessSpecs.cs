using System.Net;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Nemesis;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.Processes;

// Cluster bootstrap without static seeds (issue 16): three CacheNode processes on loopback, started with config
// discovery (every node lists the three bootstrap endpoints, 127.0.0.1 on distinct ports) and no --seed at all, form
// ONE cluster — each node reports itself ready only once it sees three data nodes Up (warm-up-min-data-nodes = 3) —
// and serve every shard: a client connected to any one of them sees the three data nodes, and writes and reads back
// keys that cover all 1,024 shards. A node whose bootstrap port is taken exits 1 naming the setting.
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
        var clock = System.Diagnostics.Stopwatch.StartNew();
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
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: every node listening");

            // Every node ready: Up, warmed up with three data nodes Up, every hosted shard recovered. Three nodes each
            // seeing three data nodes means one cluster, not two.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var (node, management) in nodes)
                await Eventually.HoldsAsync(async () => await ReadyAsync(http, management), TimeSpan.FromSeconds(60),
                    $"the node on port {node.Port} ready (/health/ready)");

            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: every node ready");
            await using var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
            {
                SeedNodes = [nodes[2].Process.Endpoint],
                ConnectTimeout = TimeSpan.FromSeconds(30),
                ExtraHocon = "akka.loglevel = ERROR",
            });
            await ShardReadiness.WaitDataNodesAsync(client, 3, TimeSpan.FromSeconds(30));
            var topology = await ((IClientProxyAccess)client).GetTopologyAsync();
            Assert.Equal(nodes.Select(n => n.Process.Port).Order(), topology.DataNodes.Select(a => int.Parse(a[(a.LastIndexOf(':') + 1)..])).Order());
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: the client sees the 3 data nodes");
            // As in the other process specs: the client learns where each shard runs from the nodes' reports.
            await ShardReadiness.WaitAllAllocatedAsync(client);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: the client knows where every shard runs");

            // One key in every one of the 1,024 shards (and more), written and read back: every shard is served.
            var resolver = new ShardResolver(1024);
            var batch = Enumerable.Range(0, 20_000).Select(i => $"bootstrap:{i}").DistinctBy(resolver.ShardOf)
                .Concat(Enumerable.Range(0, 2_000).Select(i => $"bootstrap:more:{i}")).Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i);
            Assert.Equal(1024, batch.Keys.Select(resolver.ShardOf).Distinct().Count());
            await client.SetMultipleAsync(batch);
            var read = await client.GetMultipleAsync<int>(batch.Keys);
            Assert.Equal(batch, read.OrderBy(kv => kv.Value).ToDictionary());
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {batch.Count:N0} keys over every shard written and read back");

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

    [Fact]
    public async Task Should_exit_1_naming_the_setting_when_the_bootstrap_port_is_taken()
    {
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;

        using var node = NodeProcess.Start(0, "--port", NodeProcess.FreePort().ToString(), "--mgmt-port", "0",
            "--bootstrap", "config", "--contact", $"127.0.0.1:{taken}", "--required-contacts", "1", "--bootstrap-port", taken.ToString());

        Assert.Equal(1, await node.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"The bootstrap endpoint could not listen on 127.0.0.1:{taken}", node.Output);
        Assert.Contains("--bootstrap-port", node.Output);
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
