package dev.baton.orchestrator.haproxy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Outputs captured from HAProxy 2.6.12's runtime API. */
class ServersStateParsingTest {
    private static final String SERVERS_STATE = """
            1
            # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
            3 w_s1 1 db 127.0.1.1 2 0 1 1 13 1 0 2 0 0 0 0 - 35861 - 0 0 - - 0
            3 w_s1 2 spare 127.0.2.1 0 1 1 1 13 1 0 2 0 0 0 0 - 33383 - 0 0 - - 0
            """;
    private static final String STAT = """
            # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight
            w_s1,db,4,9,1,3,1,0,0,0,,0,,0,0,0,0,no check,1
            w_s1,spare,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1
            """;

    @Test
    void joinsServersStateAndStatByServer() {
        List<ServerState> servers = HaproxyRuntime.parseServersState(SERVERS_STATE.strip(), STAT.strip());
        assertThat(servers).containsExactly(
                new ServerState("w_s1", "db", "127.0.1.1", 35861, 2, 0, 1, 4, 1),
                new ServerState("w_s1", "spare", "127.0.2.1", 33383, 0, 1, 0, 0, 0));
        assertThat(servers.get(0).inMaintenance()).isFalse();
        assertThat(servers.get(1).inMaintenance()).isTrue();
    }
}
