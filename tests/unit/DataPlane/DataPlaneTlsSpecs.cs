using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.DataPlane;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.ClientProxy.Security;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.DataPlane;
using DistCacheAkka.Messages.Serialization;

namespace DistCacheAkka.Tests.Unit.DataPlane;

// The data plane under mutual TLS (distcache.tls on): a client whose certificate chains to the cluster's CA completes
// the handshake and its envelope reaches the gateway and is answered; a client with a certificate from another CA, and
// a plaintext client, are refused with a warning naming the TLS failure, and nothing of theirs reaches the gateway;
// the client refuses a node whose certificate is from another CA. Settings: TLS on gives the data plane the node's
// identity instead of switching it off.
public class DataPlaneTlsSpecs : TestKit, IDisposable
{
    private const int Limit = 64 * 1024;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "distcache-dp-tls-" + Guid.NewGuid().ToString("N"));
    private readonly (string Ca, string Node, string Client) _cluster;
    private readonly (string Ca, string Node, string Client) _rogue;
    private readonly Akka.TestKit.TestProbe _gateway;
    private readonly DataPlaneSerializer _serializer;
    private readonly DataPlaneListener _listener;

    public DataPlaneTlsSpecs()
        : base("akka.loglevel = WARNING\n" + CacheProtocolSerializer.Hocon)
    {
        _cluster = DevCertificates.Create(Path.Combine(_directory, "cluster"));
        _rogue = DevCertificates.Create(Path.Combine(_directory, "rogue"));
        _gateway = CreateTestProbe();
        _serializer = new DataPlaneSerializer(Sys);
        var settings = new DataPlaneSettings(true, "127.0.0.1", 0, Limit, null, TlsMaterial.Load("test", _cluster.Node, null, _cluster.Ca));
        _listener = DataPlaneListener.Start(Sys, _gateway.Ref, settings) ?? throw new InvalidOperationException("the listener did not start");
    }

    void IDisposable.Dispose()
    {
        _listener.Dispose();
        Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Should_give_the_data_plane_the_nodes_TLS_identity_when_distcache_tls_is_on()
    {
        var settings = DataPlaneSettings.Create(Akka.Configuration.ConfigurationFactory.ParseString($"""
            distcache.tls.enabled = on
            distcache.tls.certificate-path = "{_cluster.Node}"
            distcache.tls.ca-certificate-path = "{_cluster.Ca}"
            """));

        Assert.True(settings.Enabled);
        Assert.NotNull(settings.Tls);
    }

    [Fact]
    public async Task Should_serve_a_client_whose_certificate_chains_to_the_cluster_CA()
    {
        var client = await ConnectAsync(_cluster.Client, _cluster.Ca);

        Assert.True(client.Connection.Send(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(3, new Get("k"))])));
        var received = await _gateway.ExpectMsgAsync<CoalescedRequests>();
        Assert.Equal(3, received.Commands.Single().Id);
        _gateway.LastSender.Tell(new CoalescedReplies([new CorrelatedReply(3, new NotFound("k"))]), _gateway.Ref);

        var reply = _serializer.DecodeReplies(await client.Frames.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(3, reply.Replies.Single().Id);
        client.Connection.Close();
    }

    [Fact]
    public async Task Should_refuse_a_client_whose_certificate_is_from_another_CA()
    {
        await EventFilter.Warning(contains: "does not chain to this cluster's CA").ExpectOneAsync(async () =>
        {
            // The client trusts the cluster's CA, so only the node's check can fail; depending on the TLS version the
            // client learns it during its handshake or at its first read.
            try
            {
                var client = await ConnectAsync(_rogue.Client, _cluster.Ca);
                client.Connection.Send(new CoalescedRequests(TimeSpan.FromSeconds(5), [new CorrelatedCommand(1, new Get("k"))]));
                await client.Connection.Completion.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
            {
            }
        });

        await _gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Should_refuse_a_plaintext_client()
    {
        await EventFilter.Warning(contains: "TLS handshake failed").ExpectOneAsync(async () =>
        {
            using var raw = new TcpClient();
            await raw.ConnectAsync("127.0.0.1", _listener.Port);
            var stream = raw.GetStream();
            await stream.WriteAsync(DataPlaneFrames.Preamble.ToArray());
            await stream.WriteAsync(new byte[64]);
            var buffer = new byte[16];
            // The node closes it: the read ends (0 bytes or a reset).
            try
            {
                while (await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)) > 0)
                {
                }
            }
            catch (IOException)
            {
            }
        });

        await _gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Should_not_accept_a_node_whose_certificate_is_from_another_CA()
    {
        // The client trusts only the rogue CA: the cluster's node certificate must fail the client's own check.
        await Assert.ThrowsAnyAsync<System.Security.Authentication.AuthenticationException>(() => ConnectAsync(_cluster.Client, _rogue.Ca));
    }

    private async Task<Client> ConnectAsync(string certificate, string ca)
    {
        // Built directly: TlsMaterial.Load refuses a certificate that its own CA did not sign, and these specs need one.
        var material = new TlsMaterial(X509CertificateLoader.LoadPkcs12FromFile(certificate, null, X509KeyStorageFlags.EphemeralKeySet),
            X509CertificateLoader.LoadCertificateFromFile(ca));
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", _listener.Port);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await ssl.AuthenticateAsClientAsync(material.ClientOptions()).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }

        var frames = Channel.CreateUnbounded<byte[]>();
        var connection = new DataPlaneConnection(ssl, Limit, expectPreamble: false, payload => frames.Writer.TryWrite(payload), _ => { },
            _serializer.Encode, (_, problem) => throw new InvalidOperationException(problem));
        connection.Start(sendPreamble: true);
        return new Client(connection, frames.Reader);
    }

    private sealed record Client(DataPlaneConnection Connection, ChannelReader<byte[]> Frames);
}
