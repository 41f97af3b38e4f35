package dev.baton.wire;

/**
 * A DC's HTTP frontend in front of the checkout apps, where checkout traffic can be drained at the
 * load balancer: its backend has one server per DC's checkout app, named after the DC.
 *
 * @param endpoint where clients connect (the DC's address; the same port in every DC)
 * @param backend  the HAProxy backend whose server weights decide which DC's app serves
 */
public record CheckoutFrontend(Endpoint endpoint, String backend) {
}
