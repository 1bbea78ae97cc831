using System.Net;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Sites;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Database;

/// <summary>The roles <c>ameba-ota db roles</c> prints, set up in a real PostgreSQL and used: each may do what it is for and nothing else.</summary>
public class RoleTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Viewers_only_read_operators_ask_for_work_and_an_agent_touches_only_its_own_site()
    {
        using var dir = new TempDir();
        string admin = await pg.Server.NewDatabaseAsync();
        string database = admin[(admin.LastIndexOf('/') + 1)..];
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "db", "migrate", "--db", admin)).ExitCode);
        var roles = await Support.Cli.RunAsync(dir.Path, "db", "roles", "--agent", "agent_lab=lab");
        Assert.True(roles.ExitCode == 0, roles.ToString());
        string suffix = database;   // login roles are per cluster: one set per test database
        await pg.Server.SqlAsync(database, $"CREATE ROLE agent_lab_{suffix} LOGIN");
        await pg.Server.SqlAsync(database, roles.Stdout.Replace("agent_lab", $"agent_lab_{suffix}"));
        await pg.Server.SqlAsync(database, $"CREATE ROLE viewer_{suffix} LOGIN IN ROLE amebaota_viewer; CREATE ROLE ops_{suffix} LOGIN IN ROLE amebaota_operator;");
        using var ops = HistoryStore.Open(pg.Server.Url(database, $"ops_{suffix}"));
        using var viewer = HistoryStore.Open(pg.Server.Url(database, $"viewer_{suffix}"));
        using var agent = HistoryStore.Open(pg.Server.Url(database, $"agent_lab_{suffix}"));

        // The agent records the boards of its site, and not another site's.
        agent.RecordSightings([new BoardSighting("Lab-001", IPAddress.Parse("127.0.0.2"), 5000, null, null, DateTimeOffset.UtcNow) { Site = "lab" }]);
        var refused = Assert.Throws<HistoryException>(() =>
            agent.RecordSightings([new BoardSighting("Field-001", IPAddress.Parse("127.0.0.2"), 5000, null, null, DateTimeOffset.UtcNow) { Site = "field" }]));
        Assert.Contains("row-level security", refused.Message);
        ops.RecordSightings([new BoardSighting("Field-001", IPAddress.Parse("127.0.0.3"), 5000, null, null, DateTimeOffset.UtcNow) { Site = "field" }]);

        // An operator asks for work at both sites; the lab agent can claim only the lab's.
        var image = new ImageIdentity(new string('c', 64), 3, "v2.bin", 6, 2);
        var queue = new JobQueue(ops);
        queue.Enqueue([new JobRequest("lab", new FleetTarget("Lab-001", new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5000), true)),
            new JobRequest("field", new FleetTarget("Field-001", new IPEndPoint(IPAddress.Parse("127.0.0.3"), 5000), true))],
            image, new byte[] { 1, 2, 3 }, new FleetOptions(), "fleet rollout", JobQueue.NewBatch());
        var agentQueue = new JobQueue(agent);
        agentQueue.AgentStarted("lab/test/1", "lab", null, null);
        Assert.Empty(agentQueue.Claim("field", "lab/test/1", TimeSpan.FromSeconds(10), 5));    // not its site: it sees no such job
        var mine = Assert.Single(agentQueue.Claim("lab", "lab/test/1", TimeSpan.FromSeconds(10), 5));
        Assert.Equal("Lab-001", mine.Job.Target.Name);
        long upload = agentQueue.BeginUpload(mine.Job, "lab/test/1", mine.Job.Target.EndPoint, image);
        Assert.True(agentQueue.Finish(mine.Job, "lab/test/1", upload, JobState.Succeeded, new UploadEnd(UploadOutcome.Sent), 3, 1));
        Assert.Throws<HistoryException>(() => agentQueue.AgentStarted("field/test/1", "field", null, null));

        // A viewer reads everything, and can start nothing.
        Assert.Equal(2, viewer.Boards().Count);
        Assert.Single(viewer.Uploads());
        var viewerRefused = Assert.Throws<HistoryException>(() => new JobQueue(viewer).Enqueue(
            [new JobRequest("lab", new FleetTarget("Lab-001", new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5000), true))],
            image, new byte[] { 1, 2, 3 }, new FleetOptions(), "fleet rollout", JobQueue.NewBatch()));
        Assert.Contains("permission denied", viewerRefused.Message);
        var cli = await Support.Cli.RunAsync(dir.Path, "boards", "--db", pg.Server.Url(database, $"viewer_{suffix}"));
        Assert.True(cli.ExitCode == 0, cli.ToString());
        Assert.Contains("Field-001", cli.Stdout);
        // Who did what: the operator's request and the agent's start, under their own names.
        Assert.Contains(viewer.AuditTrail(), a => a.Action == "jobs.request" && a.Actor == Actor.OsUser);
        Assert.Contains(viewer.AuditTrail(), a => a.Action == "agent.start" && a.Actor == "lab/test/1");
    }
}
