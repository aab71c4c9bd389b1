using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.Processes;

// Mutual TLS (issue 16) with real CacheNode processes on loopback: three nodes with certificates from one CA form a
// cluster, a client with a certificate from that CA reads and writes, a failover loses no acknowledged write; a
// plaintext client, a client with another CA's certificate and a node with another CA's certificate are all refused,
// and the refusing side's log says why.
public sealed class TlsProcessSpecs : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"distcache-tls-{Guid.NewGuid():N}");
    private readonly (string Ca, string Node, string Client) _cluster;
    private readonly (string Ca, string Node, string Client) _other;

    public TlsProcessSpecs(ITestOutputHelper output)
    {
        _output = output;
        _cluster = DevCertificates.Create(Path.Combine(_directory, "cluster"));
        _other = DevCertificates.Create(Path.Combine(_directory, "other"));
    }

    private static string TlsHocon((string Ca, string Node, string Client) certs) =>
        $"distcache.tls {{\n  enabled = on\n  certificate-path = \"{certs.Node}\"\n  ca-certificate-path = \"{certs.Ca}\"\n}}\n" +
        "distcache.replication-factor = 2\ndistcache.node.warm-up-min-data-nodes = 3\n" +
        "akka.cluster.split-brain-resolver.stable-after = 5s\n"; // a quicker failover (the default is 20 s)

    private static DistCacheClientOptions ClientOptions(string seed, DistCacheTlsOptions? tls, TimeSpan connect) => new()
    {
        SeedNodes = [seed],
        ConnectTimeout = connect,
        Tls = tls,
        ExtraHocon = "akka.loglevel = WARNING",
    };

    [Fact]
    public async Task Should_serve_clients_with_certificates_of_its_CA_survive_a_failover_and_refuse_everyone_else()
    {
        using var nodes = new NodeProcessGroup(TlsHocon(_cluster), _output);
        var seed = nodes.Start("seed", null);
        await seed.WaitListeningAsync(TimeSpan.FromSeconds(60));
        var worker1 = nodes.Start("worker", seed.Port);
        var worker2 = nodes.Start("worker", seed.Port);
        await worker1.WaitListeningAsync(TimeSpan.FromSeconds(60));
        await worker2.WaitListeningAsync(TimeSpan.FromSeconds(60));

        await using var client = await DistCacheClient.ConnectAsync(ClientOptions(seed.Endpoint,
            new DistCacheTlsOptions { CertificatePath = _cluster.Client, CaCertificatePath = _cluster.Ca }, TimeSpan.FromSeconds(60)));
        await ShardReadiness.WaitDataNodesAsync(client, 3, TimeSpan.FromSeconds(60));
        await ShardReadiness.WaitAllAllocatedAsync(client);
        var written = Enumerable.Range(0, 500).ToDictionary(i => $"tls:{i}", i => i);
        await client.SetMultipleAsync(written, consistency: ConsistencyLevel.Quorum);
        Assert.Equal(7, await client.GetAsync<int>("tls:7", ConsistencyLevel.Quorum));
        // Requests travel the data plane, under mutual TLS too: the nodes accepted the client's certificate there.
        Assert.Contains("(mutual TLS)", seed.Output);
        await Eventually.HoldsAsync(() => seed.Output.Contains("connected over mutual TLS with certificate \"CN=distcache-client", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the seed's data plane to accept the client's certificate");

        // Refused: a plaintext client, and a client whose certificate another CA signed.
        var plaintext = await Assert.ThrowsAsync<DistCacheConnectionException>(() =>
            DistCacheClient.ConnectAsync(ClientOptions(seed.Endpoint, null, TimeSpan.FromSeconds(3))));
        Assert.Contains("no seed answered", plaintext.Message);
        await Assert.ThrowsAsync<DistCacheConnectionException>(() => DistCacheClient.ConnectAsync(ClientOptions(seed.Endpoint,
            new DistCacheTlsOptions { CertificatePath = _other.Client, CaCertificatePath = _other.Ca }, TimeSpan.FromSeconds(3))));
        // A certificate that its own CA setting does not vouch for is refused before anything starts.
        var mismatch = await Assert.ThrowsAsync<ArgumentException>(() => DistCacheClient.ConnectAsync(ClientOptions(seed.Endpoint,
            new DistCacheTlsOptions { CertificatePath = _other.Client, CaCertificatePath = _cluster.Ca }, TimeSpan.FromSeconds(3))));
        Assert.Contains("is not signed by the CA", mismatch.Message);
        await Eventually.HoldsAsync(() => seed.Output.Contains("does not chain to this cluster's CA", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the seed's log naming the refused client certificate");

        // Refused: a node whose certificate another CA signed cannot join; it is told why, and the cluster stays at 3.
        using (var rogues = new NodeProcessGroup(TlsHocon(_other), _output))
        {
            var rogue = rogues.Start("worker", seed.Port);
            await Eventually.HoldsAsync(() => seed.Output.Contains("certificate \"CN=distcache-node\" (issuer", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "the seed's log naming the rogue node's certificate it refused");
            // The rogue learns it from one of two orders of the same handshake: its own check of the seed's certificate
            // (our validator names it), or, when the seed refuses the rogue's certificate first, Akka's client-side
            // "TLS handshake failed", after which Akka shuts the rogue down (exit code 79) before our validator runs
            // (seen in 1 of 4 local runs; which side's check comes first is not fixed here).
            await Eventually.HoldsAsync(() => rogue.Output.Contains("does not chain to this cluster's CA", StringComparison.Ordinal)
                                              || (rogue.HasExited && rogue.Output.Contains("TLS handshake failed (Client side)", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30), "the rogue node's log naming the seed's certificate it refused, or the failed handshake it exited on");
            Assert.Equal(3, (await client.GetStatsAsync()).Nodes.Count);
        }

        // The management endpoint serves HTTPS with the node's certificate; the CLI trusts it through --ca.
        var https = await CliProcess.RunAsync([$"https://{seed.ManagementEndpoint}", "cluster", "show", "--json", "--ca", _cluster.Ca]);
        Assert.True(https.ExitCode == 0, https.ToString());
        Assert.Contains($"127.0.0.1:{worker2.Port}", https.Output);
        var untrusted = await CliProcess.RunAsync([$"https://{seed.ManagementEndpoint}", "cluster", "show", "--ca", _other.Ca]);
        Assert.Equal(1, untrusted.ExitCode);

        // A failover under TLS: kill -9 a worker; every Quorum-acknowledged write is still there.
        worker2.KillHard();
        await ShardReadiness.WaitDataNodesAsync(client, 2, TimeSpan.FromSeconds(90));
        await ShardReadiness.WaitAllAllocatedAsync(client);
        var read = await client.GetMultipleAsync<int>(written.Keys, ConsistencyLevel.Quorum);
        Assert.Equal(written, read.OrderBy(kv => kv.Value).ToDictionary());
    }

    [Fact]
    public async Task Should_refuse_to_start_when_the_certificate_has_no_private_key()
    {
        // A PKCS#12 file that holds a certificate but not its key.
        var publicOnly = Path.Combine(_directory, "public-only.pfx");
        using (var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(_cluster.Ca))
            File.WriteAllBytes(publicOnly, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12));
        using var node = NodeProcess.Start(0, "--port", NodeProcess.FreePort().ToString(), "--mgmt-port", "0",
            "--tls-cert", publicOnly, "--tls-ca", _cluster.Ca);

        Assert.Equal(2, await node.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("distcache.tls.certificate-path", node.Output);
        Assert.Contains($"\"{publicOnly}\" holds a certificate without its private key", node.Output);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a process still holds a file: the OS's temp cleanup takes it
        }
    }
}
