using System.CommandLine;
using AmebaOta.Cli.History;
using AmebaOta.Fleet.History;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota db migrate</c> and <c>ameba-ota db copy FROM TO</c>: the history database itself.</summary>
public static class DbCommands
{
    public static Command Build()
    {
        var db = new Command("db",
            "The history database itself: a SQLite file (the default, one machine) or PostgreSQL (shared by machines and site agents).\n" +
            "Example: ameba-ota db copy ~/.local/share/ameba-ota/history.db postgres://ameba@db.example/fleet");
        db.Add(Migrate());
        db.Add(Copy());
        db.Add(Roles());
        return db;
    }

    private static Command Migrate()
    {
        var option = HistoryDatabase.Option();
        var command = new Command("migrate",
            "Create the database's tables, or bring them to this version's schema (every command does this on first use when its role may;\n" +
            "run it once as the database's owner before agents and viewers, whose roles may not change the schema, connect).\n" +
            "Example: ameba-ota db migrate --db postgres://ameba_admin@db.example/fleet") { option };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var store = HistoryDatabase.OpenRequired(parse.GetValue(option), mustExist: false);
            Console.WriteLine($"{store.Where}: schema version {Read(() => store.SchemaVersion)} ({(store.Engine == DatabaseEngine.Postgres ? "PostgreSQL" : "SQLite")}), up to date");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Copy()
    {
        var from = new Argument<string>("from") { Description = "The database to copy: a SQLite file, or a PostgreSQL URL" };
        var to = new Argument<string>("to") { Description = "The database to fill: it must hold no rows yet (it is created and migrated if needed)" };
        var command = new Command("copy",
            "Copy every board, image, upload, rollout, audit entry and job, ids kept, into an empty database (one transaction: all or nothing),\n" +
            "then count the rows on both sides. The source is only read.\n" +
            "Example: ameba-ota db copy history.db 'postgres://ameba@db.example/fleet'") { from, to };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            using var source = HistoryDatabase.OpenRequired(parse.GetValue(from), mustExist: true);
            using var target = HistoryDatabase.OpenRequired(parse.GetValue(to), mustExist: false);
            if (source.Location.Target == target.Location.Target) throw new CliError(ExitCodes.Usage, "db copy: FROM and TO are the same database");
            var result = Read(() => HistoryCopy.Copy(source, target));
            Console.WriteLine($"copied {result.Rows} rows from {source.Where} to {target.Where}: " +
                              string.Join(", ", result.Tables.Where(t => t.Rows > 0).Select(t => $"{t.Rows} {t.Table}")));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Roles()
    {
        var agent = new Option<string[]>("--agent") { Description = "Also make login role ROLE the agent of SITE (ROLE=SITE; repeatable)", HelpName = "ROLE=SITE" };
        var command = new Command("roles",
            "Print the SQL that sets up who may do what in a shared PostgreSQL database, for its owner to run (psql -f):\n" +
            "amebaota_viewer reads everything; amebaota_operator runs rollouts and asks for jobs; amebaota_agent records the boards of its own\n" +
            "site and carries out only its site's jobs (row-level security). Then make each person's or agent's login role a member of one.\n" +
            "Example: ameba-ota db roles --agent agent_lab=lab | psql -d fleet") { agent };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            Console.Write(Fleet.Sites.DatabaseRoles.Sql);
            foreach (var pair in parse.GetValue(agent) ?? [])
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0 || eq == pair.Length - 1) throw new CliError(ExitCodes.Usage, $"--agent '{pair}': give ROLE=SITE");
                Console.Write(Fleet.Sites.DatabaseRoles.Agent(pair[..eq], pair[(eq + 1)..]));
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static T Read<T>(Func<T> read)
    {
        try { return read(); }
        catch (HistoryException e) { throw new CliError(ExitCodes.IoError, e.Message); }
    }
}
