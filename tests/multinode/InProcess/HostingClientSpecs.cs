using Akka.Actor;
using Akka.Hosting;
using Akka.Remote.Hosting;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.ClientProxy.Hosting;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// An Akka.Hosting application adds the client to its own ActorSystem (remoting only) with WithDistCacheClient, gets
// the ClientProxy actor through IRequiredActor<DistCacheClientProxy>, Asks it with protocol messages, and wraps it in
// the typed client. The application never becomes a member of the cache cluster.
public class HostingClientSpecs
{
    [Fact]
    public async Task Should_serve_an_akka_hosting_application()
    {
        await using var cluster = await InProcessCluster.StartAsync(2);
        var options = new DistCacheClientOptions { SeedNodes = [cluster.SeedEndpoint], ClusterSettings = cluster.Settings };
        using var app = new HostBuilder().ConfigureServices(services => services.AddAkka(ActorNames.SystemName, (builder, _) =>
        {
            builder.AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                .WithRemoting("127.0.0.1", 0)
                .WithDistCacheClient(options);
        })).Build();
        await app.StartAsync();
        try
        {
            var proxy = await app.Services.GetRequiredService<IRequiredActor<DistCacheClientProxy>>().GetAsync();
            var system = app.Services.GetRequiredService<ActorSystem>();
            await DistCacheClient.WaitForClusterAsync(proxy, options, CancellationToken.None);

            var set = await proxy.Ask<ISetResponse>(new Set("hosted:1", "hi"u8.ToArray(), CacheExpiry.Never, ConsistencyLevel.Quorum), TimeSpan.FromSeconds(10));
            var typed = DistCacheClient.FromProxy(system, proxy, options);

            Assert.IsType<SetSuccess>(set);
            Assert.Equal("hi"u8.ToArray(), await typed.GetBytesAsync("hosted:1"));
            await typed.SetAsync("hosted:2", 42);
            Assert.Equal(42, await typed.GetAsync<int>("hosted:2"));
            Assert.All(cluster.Systems, node => Assert.Equal(2, Akka.Cluster.Cluster.Get(node).State.Members.Count)); // data nodes only
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
