using Microsoft.Extensions.Hosting;

namespace DistCacheAkka.ClientProxy.Extensions;

/// <summary>
/// Connects the client <c>AddDistCache</c> registered when the host starts, and disposes it (the client's ActorSystem
/// stops; the cluster is not affected) when the host stops. Start waits for the connection, so a host whose cluster
/// cannot be reached within DistCacheClientOptions.ConnectTimeout fails to start with a
/// <see cref="DistCacheConnectionException"/> naming the seeds.
/// </summary>
internal sealed class DistCacheConnectionService(DeferredDistCacheClient client) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => client.ConnectAsync().WaitAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => client.DisposeAsync().AsTask().WaitAsync(cancellationToken);
}
