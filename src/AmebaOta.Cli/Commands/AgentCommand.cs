using System.CommandLine;
using System.Runtime.InteropServices;
using AmebaOta.Cli.History;
using AmebaOta.Discovery;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Sites;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota agent --db postgres://… --site NAME</c>: the site agent.</summary>
public static class AgentCommand
{
    public static Command Build()
    {
        var db = HistoryDatabase.Option();
        db.Description = "The shared PostgreSQL database (postgres://user@host/db, or a connection string; default $AMEBAOTA_DB)";
        var site = new Option<string>("--site") { Description = "The site this agent serves (a name: lab, field-1)", Required = true };
        var iface = DiscoverCommands.InterfaceOption();
        var lease = new Option<double>("--lease") { Description = "Seconds a job stays this agent's without a renewal: a killed agent's jobs are taken over after it", DefaultValueFactory = _ => 15 };
        var parallel = new Option<int>("--parallel") { Description = "Boards updated at the same time", DefaultValueFactory = _ => 16 };
        var command = new Command("agent",
            "Run next to a site's boards: find them by mDNS and record them in the shared database with their site, and carry out the updates\n" +
            "asked for them (fleet rollout, the dashboard) with the same uploader as 'fleet upload', recording every change as it happens.\n" +
            "It only connects out, to PostgreSQL: nothing listens at the site. A job whose agent dies is taken over when its lease runs out.\n" +
            "PostgreSQL out of reach: discovery goes on, writes are retried, no upload starts that cannot be recorded. Ctrl+C or SIGTERM stops it\n" +
            "(transfers under way are cut, so the boards keep their old image, and their jobs are handed back).\n" +
            "Example: ameba-ota agent --db postgres://ameba_agent_lab@db.example/fleet --site lab --interface eth0")
        { db, site, iface, lease, parallel };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var text = HistoryDatabase.Resolve(parse.GetValue(db)) ?? throw new CliError(ExitCodes.Usage, "agent: give the shared database with --db postgres://…");
            var location = HistoryDatabase.Location(text);
            if (location.Engine != DatabaseEngine.Postgres)
                throw new CliError(ExitCodes.Usage, $"agent: '{location.Display}' is a SQLite file; agents share a PostgreSQL database (--db postgres://user@host/db)");
            string name = parse.GetValue(site)!.Trim();
            if (name.Length is 0 or > 64 || name.Any(char.IsControl)) throw new CliError(ExitCodes.Usage, "--site: give a name of 1 to 64 characters");
            if (parse.GetValue(iface) is { } i)
            {
                try { MdnsInterface.Resolve(i); }
                catch (MdnsException e) { throw new CliError(ExitCodes.IoError, e.Message); }
            }
            var options = new SiteAgentOptions(name, parse.GetValue(iface))
            {
                Lease = TimeSpan.FromSeconds(OptionChecks.Seconds(parse.GetValue(lease), 3600, "--lease")),
                MaxJobs = OptionChecks.InRange(parse.GetValue(parallel), 1, 1024, "--parallel"),
                Version = typeof(AgentCommand).Assembly.GetName().Version?.ToString(3),
            };
            var agent = new SiteAgent(location, options);
            agent.Log += line => Console.Error.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {line}");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; stop.Cancel(); });
            try
            {
                await agent.RunAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (HistoryException e)
            {
                throw new CliError(ExitCodes.IoError, e.Message);
            }
            Console.Error.WriteLine($"agent {agent.Name}: stopped");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
