using System.Net;
using System.Text.Json;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;
using AmebaOta.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AmebaOta.Tests.Database;

/// <summary>The history on a real PostgreSQL (a throwaway cluster), the same store the SQLite file is: same records, same answers.</summary>
public class PostgresHistoryTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private static readonly ImageIdentity V2 = new(new string('a', 64), 1000, "v2.bin", 0x1234, 2);
    private static readonly ImageIdentity V3 = new(new string('b', 64), 1000, "v3.bin", 0x1235, 3);
    private static readonly IPEndPoint Board = new(IPAddress.Parse("192.0.2.10"), 5000);

    private async Task<string> Database(string engine, TempDir dir) => engine == "postgres" ? await pg.Server.NewDatabaseAsync() : dir.File("h.db");

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Uploads_rollouts_and_beliefs_read_back_the_same_on_both_engines(string engine)
    {
        using var dir = new TempDir();
        using var store = HistoryStore.Open(await Database(engine, dir));
        Assert.Equal(HistoryMigrations.Latest, store.SchemaVersion);
        store.RecordSightings([new BoardSighting("MyAmeba-1", Board.Address, 5000, "MyAmeba-1.local", "ameba_rtl8195a", DateTimeOffset.UtcNow) { Site = "lab" }]);
        long first = store.BeginUpload(new UploadStart(null, Board, false, V2, "upload"));   // by address: the name seen there is used
        store.FinishUpload(first, new UploadEnd(UploadOutcome.Rebooted, RebootTime: TimeSpan.FromMilliseconds(900)));
        long second = store.BeginUpload(new UploadStart("myameba-1", Board, true, V3, "fleet upload") { Actor = "alice" });   // names are case-insensitive
        store.FinishUpload(second, new UploadEnd(UploadOutcome.NotBack, "no reboot seen", 7));

        var board = Assert.Single(store.Boards());
        Assert.Equal(("MyAmeba-1", "ameba_rtl8195a", "lab", "ameba1"), (board.Name, board.BoardId, board.Site, board.Family));
        Assert.Equal(V3.Sha256, board.LastTaken!.Image.Sha256);
        Assert.Equal(UploadOutcome.NotBack, board.LastTaken.Outcome);
        Assert.Equal(V2.Sha256, board.Believed!.Image.Sha256);
        Assert.True(board.BelievedVerified);

        var u = Assert.Single(store.Uploads(new HistoryFilter(ImageSha: "bbbbbb")));
        Assert.Equal((7, "no reboot seen", "fleet upload", "alice"), (u.ExitCode!.Value, u.Error!, u.Command, u.Actor));
        Assert.Equal(2, store.Uploads(new HistoryFilter(Board: "MYAMEBA-1")).Count);
        Assert.Empty(store.Uploads(new HistoryFilter(Since: DateTimeOffset.UtcNow.AddMinutes(1))));
        Assert.Equal(Actor.OsUser, store.Uploads()[0].Actor);

        var plan = RolloutPlan.Create([new FleetTarget("MyAmeba-1", Board, true)], StagePlan.Parse("100%"), V3, false, true, _ => null);
        var rollouts = new RolloutStore(store);
        long id = rollouts.Create(V3, "/tmp/v3.bin", new RolloutSettings("100%", FailureThreshold.Parse("1"), TimeSpan.Zero, new FleetOptions(), false, false, true), plan);
        rollouts.SetBoard(id, plan.Boards[0] with { State = RolloutBoardState.Failure, Error = "refused" });
        Assert.Equal("running", rollouts.RequestStop(id));
        Assert.Equal("stopping", rollouts.Load(id)!.State);   // this process runs it: it is asked to stop
        var loaded = rollouts.Load(id)!;
        Assert.Equal((RolloutBoardState.Failure, "refused", Actor.OsUser), (loaded.Plan.Boards[0].State, loaded.Plan.Boards[0].Error, loaded.Actor));
        Assert.Contains(store.AuditTrail(), a => a.Action == "rollout.stop" && a.Subject == $"rollout {id}");
    }

    [Fact]
    public async Task Db_migrate_creates_the_schema_and_the_commands_record_and_read_through_a_postgres_url()
    {
        using var dir = new TempDir();
        string url = await pg.Server.NewDatabaseAsync();
        var migrate = await Support.Cli.RunAsync(dir.Path, "db", "migrate", "--db", url);
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains($"schema version {HistoryMigrations.Latest} (PostgreSQL)", migrate.Stdout);

        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        // Nothing listens there: the upload fails, and is recorded as failed (exit 4) in PostgreSQL.
        var upload = await Support.Cli.RunAsync(dir.Path, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", TestImages.UnusedPort().ToString(), "--db", url);
        Assert.Equal(4, upload.ExitCode);
        var history = await Support.Cli.RunAsync(dir.Path, "history", "--json", "--db", url);
        Assert.True(history.ExitCode == 0, history.ToString());
        var row = Assert.Single(JsonDocument.Parse(history.Stdout).RootElement.EnumerateArray());
        Assert.Equal(("failed", 4), (row.GetProperty("outcome").GetString(), row.GetProperty("exitCode").GetInt32()));
        // AMEBAOTA_DB takes a URL too.
        var boards = await Support.Cli.RunAsync(dir.Path, "boards", "--json", "--db", url);
        Assert.Single(JsonDocument.Parse(boards.Stdout).RootElement.EnumerateArray());
    }

    [Fact]
    public async Task An_unreachable_server_is_one_line_for_readers_and_one_warning_for_an_upload()
    {
        using var dir = new TempDir();
        string url = $"postgres://nobody@{Uri.EscapeDataString(dir.Path)}/fleet";   // no server has its socket there
        var boards = await Support.Cli.RunAsync(dir.Path, "boards", "--db", url);
        Assert.Equal(9, boards.ExitCode);
        Assert.Contains("cannot connect to PostgreSQL", boards.Stderr);
        Assert.Single(boards.Stderr.Trim().Split('\n'));
        Assert.Equal(0, (await Support.Cli.RunAsync(dir.Path, "image", "make", "--version", "2", "-o", "v2.bin")).ExitCode);
        var upload = await Support.Cli.RunAsync(dir.Path, "upload", "v2.bin", "--ip", "127.0.0.1", "--port", TestImages.UnusedPort().ToString(), "--db", url);
        Assert.Equal(4, upload.ExitCode);
        Assert.Contains($"warning: history database 'postgres://nobody@/fleet?host={dir.Path}'", upload.Stderr);
    }

    [Fact]
    public async Task Db_copy_moves_a_SQLite_history_to_postgres_without_loss_and_refuses_a_database_that_is_not_empty()
    {
        using var dir = new TempDir();
        string file = dir.File("h.db");
        using (var store = HistoryStore.Open(file))
        {
            store.RecordSightings([new BoardSighting("MyAmeba-1", Board.Address, 5000, "MyAmeba-1.local", "ameba_rtl8195a", DateTimeOffset.UtcNow)]);
            for (int i = 0; i < 5; i++)
                store.FinishUpload(store.BeginUpload(new UploadStart("MyAmeba-1", Board, true, i % 2 == 0 ? V2 : V3, "fleet upload")),
                    new UploadEnd(i == 4 ? UploadOutcome.Failed : UploadOutcome.Rebooted, i == 4 ? "dropped" : null, i == 4 ? 5 : 0, 2, TimeSpan.FromMilliseconds(812.5)));
            store.StoreImage(V3, new byte[] { 1, 2, 3 });
            var plan = RolloutPlan.Create([new FleetTarget("MyAmeba-1", Board, true)], StagePlan.Parse("100%"), V3, false, true, _ => null);
            new RolloutStore(store).Create(V3, "/tmp/v3.bin", new RolloutSettings("100%", FailureThreshold.Parse("5%"), TimeSpan.FromSeconds(2.5), new FleetOptions { WaitReboot = TimeSpan.FromSeconds(30) }, true, true, false), plan);
        }
        string url = await pg.Server.NewDatabaseAsync();
        var copy = await Support.Cli.RunAsync(dir.Path, "db", "copy", file, url);
        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.Contains("5 uploads", copy.Stdout);

        foreach (var command in new[] { new[] { "history", "--json" }, ["boards", "--json"] })
        {
            var before = await Support.Cli.RunAsync(dir.Path, [.. command, "--db", file]);
            var after = await Support.Cli.RunAsync(dir.Path, [.. command, "--db", url]);
            Assert.Equal(before.Stdout, after.Stdout);
        }
        using (var store = HistoryStore.Open(url))
        {
            Assert.Equal(new byte[] { 1, 2, 3 }, store.ImageBytes(V3.Sha256));
            var rollout = new RolloutStore(store).Load(1)!;
            Assert.Equal(("5%", 2.5, true, true, false), (rollout.Settings.MaxFailures.ToString(), rollout.Settings.PauseBetween.TotalSeconds, rollout.Settings.Force,
                rollout.Settings.SkipCurrent, rollout.Settings.AllowDowngrade));
            // Ids go on from the copied ones.
            Assert.Equal(6L, store.BeginUpload(new UploadStart("MyAmeba-1", Board, true, V2, "upload")));
        }

        var again = await Support.Cli.RunAsync(dir.Path, "db", "copy", file, url);
        Assert.Equal(9, again.ExitCode);
        Assert.Contains("only fills an empty database", again.Stderr);
    }

    [Fact]
    public void A_SQLite_file_of_schema_1_is_migrated_to_the_latest_keeping_its_rows()
    {
        using var dir = new TempDir();
        using (var raw = new SqliteConnection($"Data Source={dir.File("old.db")};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = HistoryMigrations.Sqlite[0] + """
                INSERT INTO boards (name, address, port, first_seen, last_seen) VALUES ('MyAmeba', '192.0.2.1', 5000, '2025-01-31T12:00:00.000Z', NULL);
                INSERT INTO images (sha256, size, file_name, checksum, first_used) VALUES ('aaaa', 10, 'v1.bin', 5, '2025-01-31T12:00:00.000Z');
                INSERT INTO uploads (board, address, port, image_sha256, command, started_at, ended_at, outcome, pid)
                    VALUES ('MyAmeba', '192.0.2.1', 5000, 'aaaa', 'upload', '2025-01-31T12:00:00.000Z', '2025-01-31T12:00:05.000Z', 'sent', 1);
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }
        using var store = HistoryStore.Open(dir.File("old.db"));
        Assert.Equal(HistoryMigrations.Latest, store.SchemaVersion);
        var u = Assert.Single(store.Uploads());
        Assert.Equal(("MyAmeba", "ameba1", null), (u.Board, u.Family, u.Site));
        Assert.Equal("ameba1", Assert.Single(store.Boards()).Family);
    }
}
