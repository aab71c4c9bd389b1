using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.Messages.Settings;
using Microsoft.Extensions.Hosting;

// CacheNode: a data node of the cluster, or `demo`, which runs a whole local cluster and exercises it.
switch (CommandLine.Parse(args))
{
    case ShowHelp:
        Console.WriteLine(CommandLine.Usage);
        return 0;
    case UsageError error:
        Console.Error.WriteLine($"error: {error.Message}");
        Console.Error.WriteLine(CommandLine.Usage);
        return 2;
    case MakeDevCertificates certs:
        var (ca, nodeCert, clientCert) = DevCertificates.Create(certs.Directory, certs.Password, certs.Days);
        Console.WriteLine($"Wrote {ca} (the CA), {nodeCert} (for the nodes) and {clientCert} (for clients), valid {certs.Days} days.");
        Console.WriteLine($"Run nodes with --tls-cert {nodeCert} --tls-ca {ca}{(certs.Password is null ? "" : " --tls-cert-password ...")}.");
        return 0;
    case RunDemo demo:
        return await DistCacheAkka.CacheNode.Demo.DemoRunner.RunAsync(demo.Args);
    case RunNode run:
        Microsoft.Extensions.Hosting.IHost host;
        try
        {
            var config = NodeConfig.Build(run.ConfigFile, CommandLine.FromEnvironment(Environment.GetEnvironmentVariables()), run.OverridesHocon);
            host = NodeHost.Build(config);
        }
        catch (DistCacheConfigurationException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }

        try
        {
            await host.RunAsync();
        }
        catch (DistCacheAkka.CacheNode.Management.ManagementBindException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }

        return 0;
    default:
        return 2;
}
